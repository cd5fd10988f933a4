/**
 * One message per invocation, the OpenFaaS-connector way (rules in wire.ts): the raw value is
 * the body; X-Topic, X-Kafka-Partition, X-Kafka-Offset, X-Kafka-Key, X-Kafka-Timestamp say where
 * it came from. Pure.
 *
 * Keys travel as raw bytes in X-Kafka-Key (the OpenFaaS connector writes them so; Node reads
 * header values as latin1, so Buffer.from(value, 'latin1') gives the bytes back). A key that
 * cannot be a header value (control characters, DEL, leading or trailing blanks) goes base64 in
 * X-Kafka-Key-B64 instead, and wins when both are present. An empty (or absent) X-Kafka-Key
 * means no key, as the OpenFaaS connector sends it; our connector sends a zero-length key as an
 * empty X-Kafka-Key-B64, so it stays a zero-length key.
 */
import { isUtf8 } from 'node:buffer';
import { ValidationError } from '../platform/errors.ts';
import { isOffset, isPartition } from './kafka-batch.ts';
import type { DeliveredMessage, KafkaRecord } from './wire.ts';

export const SINGLE_HEADERS = {
  topic: 'x-topic',
  partition: 'x-kafka-partition',
  offset: 'x-kafka-offset',
  key: 'x-kafka-key',
  keyB64: 'x-kafka-key-b64',
  timestamp: 'x-kafka-timestamp',
} as const;

/** May these bytes be sent as an HTTP header value as they are (latin1), and read back unchanged? */
function headerSafe(b: Buffer): boolean {
  if (b.length === 0) return false;
  const blank = (c: number): boolean => c === 0x20 || c === 0x09;
  if (blank(b[0]!) || blank(b[b.length - 1]!)) return false;
  for (const c of b) if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  return true;
}

/** Request body and headers for one record (the connector's `orderpulse.dev/delivery: single`). */
export function encodeSingle(topic: string, partition: number, r: KafkaRecord): { body: Buffer; headers: Record<string, string> } {
  const body = r.value ?? Buffer.alloc(0);
  const headers: Record<string, string> = {
    'content-type': isUtf8(body) ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    [SINGLE_HEADERS.topic]: topic,
    [SINGLE_HEADERS.partition]: String(partition),
    [SINGLE_HEADERS.offset]: r.offset,
    [SINGLE_HEADERS.timestamp]: r.timestamp,
  };
  if (r.key === null || headerSafe(r.key)) headers[SINGLE_HEADERS.key] = r.key?.toString('latin1') ?? '';
  else headers[SINGLE_HEADERS.keyB64] = r.key.toString('base64');
  return { body, headers };
}

const bad = (detail: string): ValidationError => new ValidationError('invalid_batch', detail);

/** Decode one single-message delivery; `header(name)` reads a lower-case request header. */
export function decodeSingle(header: (name: string) => string | undefined, rawBody: Buffer): DeliveredMessage {
  const topic = header(SINGLE_HEADERS.topic);
  if (topic === undefined) throw bad('a single-message delivery needs an X-Topic header');
  const p = header(SINGLE_HEADERS.partition);
  const partition = p === undefined ? -1 : Number(p);
  if (p !== undefined && (p.trim() === '' || !isPartition(partition))) throw bad(`X-Kafka-Partition must be a partition number (0 or more), got ${JSON.stringify(p)}`);
  const o = header(SINGLE_HEADERS.offset);
  if (o !== undefined && !isOffset(o)) throw bad(`X-Kafka-Offset must be a decimal offset (0 or more), got ${JSON.stringify(o)}`);
  const offset = o ?? '-1';
  const b64 = header(SINGLE_HEADERS.keyB64);
  const text = header(SINGLE_HEADERS.key);
  const key = b64 !== undefined ? Buffer.from(b64, 'base64') : text === undefined || text === '' ? null : Buffer.from(text, 'latin1');
  return {
    topic,
    partition,
    offset,
    key,
    value: rawBody.length === 0 ? null : rawBody,
    timestamp: header(SINGLE_HEADERS.timestamp) ?? '',
    headers: [],
  };
}
