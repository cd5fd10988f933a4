/**
 * Request -> FnEvent and handler result -> response body, for the node24-ts template.
 * Pure functions (no sockets) so they are unit-tested directly.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FnEvent } from '../../shared/platform/fn.ts';
import { KAFKA_BATCH_CONTENT_TYPE } from '../../shared/delivery/wire.ts';
import { ValidationError } from '../../shared/platform/errors.ts';
import type { LogFields } from '../../shared/platform/log.ts';

/** Body as the handler sees it: JSON when the content-type says json, text for text/*, bytes otherwise. */
export function parseBody(contentType: string | undefined, raw: Buffer): unknown {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('json')) {
    if (raw.length === 0) return undefined;
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch (cause) {
      throw new ValidationError('invalid_json', `request body is not valid JSON (content-type ${contentType})`, { cause });
    }
  }
  if (ct.startsWith('text/')) return raw.toString('utf8');
  return raw;
}

export function buildEvent(req: { method?: string; url?: string; headers: IncomingHttpHeaders }, raw: Buffer): FnEvent {
  const url = new URL(req.url ?? '/', 'http://function.local');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  return {
    body: parseBody(req.headers['content-type'], raw),
    rawBody: raw,
    headers: req.headers,
    method: req.method ?? 'GET',
    query,
    path: url.pathname,
  };
}

export interface Encoded {
  body: Buffer;
  contentType: string | undefined;
}

/** What the template sends for a resolved value: objects as JSON, strings as text, Buffers as bytes. */
export function encodeResult(value: unknown): Encoded {
  if (value === undefined || value === null) return { body: Buffer.alloc(0), contentType: undefined };
  if (Buffer.isBuffer(value)) return { body: value, contentType: 'application/octet-stream' };
  if (value instanceof Uint8Array) return { body: Buffer.from(value), contentType: 'application/octet-stream' };
  if (typeof value === 'string') return { body: Buffer.from(value, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  return { body: Buffer.from(JSON.stringify(value), 'utf8'), contentType: 'application/json; charset=utf-8' };
}

// ---- log context of one invocation ---------------------------------------------------------

/** Call ids longer than this are cut (a header is caller-controlled; a log field should stay small). */
export const MAX_CALL_ID_LENGTH = 128;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

/** `{ callId }` from X-Call-Id (set by the OpenFaaS gateway and by dev/local/gateway.ts), or {} without one. */
export function callLogFields(headers: IncomingHttpHeaders): LogFields {
  const id = header(headers, 'x-call-id');
  return id === undefined ? {} : { callId: id.slice(0, MAX_CALL_ID_LENGTH) };
}

function isBatchContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === KAFKA_BATCH_CONTENT_TYPE;
}

function partitionOf(raw: string): number | string {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : raw;
}

/**
 * Which Kafka messages an invocation carries, for its log lines: topic, partition, firstOffset
 * and lastOffset. From the body of a batch delivery (content-type KAFKA_BATCH_CONTENT_TYPE), else
 * from the headers of a single message delivered the OpenFaaS-connector way (X-Topic,
 * X-Kafka-Partition, X-Kafka-Offset; our connector also sends X-Kafka-First-Offset and
 * X-Kafka-Last-Offset with a batch). {} when the call is not a Kafka delivery.
 */
export function deliveryLogFields(event: Pick<FnEvent, 'headers' | 'body'>): LogFields {
  const h = event.headers;
  const b = event.body as { topic?: unknown; partition?: unknown; messages?: unknown } | null | undefined;
  if (isBatchContentType(header(h, 'content-type')) && b !== null && typeof b === 'object' && typeof b.topic === 'string') {
    const out: LogFields = { topic: b.topic };
    if (typeof b.partition === 'number') out.partition = b.partition;
    if (Array.isArray(b.messages) && b.messages.length > 0) {
      const first = (b.messages[0] as { offset?: unknown } | null)?.offset;
      const last = (b.messages[b.messages.length - 1] as { offset?: unknown } | null)?.offset;
      if (typeof first === 'string' || typeof first === 'number') out.firstOffset = String(first);
      if (typeof last === 'string' || typeof last === 'number') out.lastOffset = String(last);
    }
    return out;
  }
  const topic = header(h, 'x-topic');
  if (topic === undefined) return {};
  const out: LogFields = { topic };
  const partition = header(h, 'x-kafka-partition');
  if (partition !== undefined) out.partition = partitionOf(partition);
  const offset = header(h, 'x-kafka-offset');
  const first = header(h, 'x-kafka-first-offset') ?? offset;
  const last = header(h, 'x-kafka-last-offset') ?? offset;
  if (first !== undefined) out.firstOffset = first;
  if (last !== undefined) out.lastOffset = last;
  return out;
}
