/**
 * Request -> FnEvent and handler result -> response body, for the node24-ts template.
 * Pure functions (no sockets) so they are unit-tested directly.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FnEvent } from '../../shared/platform/fn.ts';
import { ValidationError } from '../../shared/platform/errors.ts';

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
