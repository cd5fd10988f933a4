/**
 * The batched delivery format (shared/platform/fn.ts KafkaBatch): encoding for the Kafka connector,
 * chunking by message count and bytes, and decoding for functions and tests. Pure, no kafkajs.
 */
import { isUtf8 } from 'node:buffer';
import type { KafkaBatch, KafkaBatchMessage } from '../platform/fn.ts';
import { ValidationError } from '../platform/errors.ts';

export interface RawMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
}

/**
 * A value goes as a UTF-8 string exactly when decoding and re-encoding gives the same bytes
 * (valid UTF-8, which `isUtf8` checks without allocating); anything else goes base64 in value_b64.
 * Keys are strings (UTF-8 decoded): Kafka keys in OrderPulse are order ids.
 */
export function encodeMessage(m: RawMessage): KafkaBatchMessage {
  const out: KafkaBatchMessage = { offset: m.offset, key: m.key === null ? null : m.key.toString('utf8'), timestamp: m.timestamp };
  if (m.value !== null) {
    if (isUtf8(m.value)) out.value = m.value.toString('utf8');
    else out.value_b64 = m.value.toString('base64');
  }
  return out;
}

/** The exact bytes of a message value (null for a tombstone). */
export function messageValue(m: KafkaBatchMessage): Buffer | null {
  if (typeof m.value === 'string') return Buffer.from(m.value, 'utf8');
  if (typeof m.value_b64 === 'string') return Buffer.from(m.value_b64, 'base64');
  return null;
}

/** Approximate encoded size of a message in the JSON body (used to cap chunk bytes). */
export function encodedSize(m: RawMessage): number {
  const v = m.value === null ? 0 : m.value.length;
  // base64 grows by 4/3; JSON escaping of UTF-8 text is usually small. 80 bytes of field names/offsets.
  return 80 + (m.key?.length ?? 0) + Math.ceil((v * 4) / 3);
}

/** Split consecutive messages into chunks of at most maxMessages and (except a single oversize message) maxBytes. */
export function chunkMessages<T extends RawMessage>(messages: readonly T[], maxMessages: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = encodedSize(m);
    if (cur.length > 0 && (cur.length >= maxMessages || bytes + size > maxBytes)) {
      chunks.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += size;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

export function encodeBatch(topic: string, partition: number, messages: readonly RawMessage[]): Buffer {
  const batch: KafkaBatch = { topic, partition, messages: messages.map(encodeMessage) };
  return Buffer.from(JSON.stringify(batch), 'utf8');
}

/** Validate an event body as a KafkaBatch (functions call this on event.body). */
export function decodeBatch(body: unknown): KafkaBatch {
  const b = body as Partial<KafkaBatch> | null;
  if (!b || typeof b !== 'object' || typeof b.topic !== 'string' || !Number.isInteger(b.partition) || !Array.isArray(b.messages)) {
    throw new ValidationError('invalid_batch', 'body is not a KafkaBatch {topic, partition, messages[]}');
  }
  for (const m of b.messages) {
    if (!m || typeof m.offset !== 'string' || (m.key !== null && typeof m.key !== 'string')) throw new ValidationError('invalid_batch', 'a batch message lacks offset/key');
    if (m.value !== undefined && typeof m.value !== 'string') throw new ValidationError('invalid_batch', `message ${m.offset}: value must be a string`);
    if (m.value_b64 !== undefined && typeof m.value_b64 !== 'string') throw new ValidationError('invalid_batch', `message ${m.offset}: value_b64 must be a string`);
  }
  return b as KafkaBatch;
}
