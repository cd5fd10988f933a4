/**
 * The batched delivery (KafkaBatch JSON, rules in wire.ts): encode on the connector side,
 * decode and check on the function side. Pure, no kafkajs.
 */
import { ValidationError } from '../platform/errors.ts';
import { bytesFromWire, bytesToWire, type DeliveredBatch, type DeliveredMessage, type KafkaBatch, type KafkaBatchHeader, type KafkaBatchMessage, type KafkaHeader, type KafkaRecord } from './wire.ts';

const MAX_PARTITION = 2 ** 31 - 1;
/** A Kafka offset: a non-negative int64 in decimal (at most 19 digits). */
const OFFSET = /^(0|[1-9][0-9]{0,18})$/;

export function isPartition(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_PARTITION;
}

export function isOffset(s: unknown): s is string {
  return typeof s === 'string' && OFFSET.test(s);
}

export function encodeMessage(r: KafkaRecord): KafkaBatchMessage {
  const out: KafkaBatchMessage = { offset: r.offset, timestamp: r.timestamp };
  if (r.key === null) out.key = null;
  else {
    const k = bytesToWire(r.key);
    if ('text' in k) out.key = k.text;
    else out.key_b64 = k.b64;
  }
  if (r.value !== null) {
    const v = bytesToWire(r.value);
    if ('text' in v) out.value = v.text;
    else out.value_b64 = v.b64;
  }
  if (r.headers.length > 0) {
    out.headers = r.headers.map((h): KafkaBatchHeader => {
      if (h.value === null) return { key: h.key };
      const v = bytesToWire(h.value);
      return 'text' in v ? { key: h.key, value: v.text } : { key: h.key, value_b64: v.b64 };
    });
  }
  return out;
}

/** The request body for consecutive records of one partition. */
export function encodeBatch(topic: string, partition: number, records: readonly KafkaRecord[]): Buffer {
  const batch: KafkaBatch = { topic, partition, messages: records.map(encodeMessage) };
  return Buffer.from(JSON.stringify(batch), 'utf8');
}

/** Approximate size of a record in the JSON body (the connector caps chunk bytes with it). */
export function encodedSize(r: KafkaRecord): number {
  // base64 grows by 4/3; JSON escaping of UTF-8 text is usually small. 80 bytes of field names and numbers.
  const b64 = (n: number): number => Math.ceil((n * 4) / 3);
  let size = 80 + b64(r.key?.length ?? 0) + b64(r.value?.length ?? 0);
  for (const h of r.headers) size += 30 + h.key.length + b64(h.value?.length ?? 0);
  return size;
}

const bad = (detail: string): ValidationError => new ValidationError('invalid_batch', `${detail} (KafkaBatch format: shared/delivery/wire.ts)`);

const optionalString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

function decodeHeaders(raw: unknown, where: string): KafkaHeader[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw bad(`${where}: headers must be an array of {key, value | value_b64}`);
  return raw.map((h: unknown, j) => {
    const x = h as Partial<KafkaBatchHeader> | null;
    if (typeof x !== 'object' || x === null || typeof x.key !== 'string' || !optionalString(x.value) || !optionalString(x.value_b64)) {
      throw bad(`${where}: header #${j} needs key (string) and value / value_b64 (strings or absent)`);
    }
    return { key: x.key, value: bytesFromWire(x.value, x.value_b64) };
  });
}

/**
 * The text of a `<field>` / `<field>_b64` pair when it is exactly the decoded bytes: `_b64` wins in
 * bytesFromWire, and a string with a lone surrogate (a hand-written `\ud800` escape) is not the
 * UTF-8 its Buffer holds (U+FFFD there).
 */
function textOfWire(text: unknown, b64: unknown): string | undefined {
  return typeof text === 'string' && typeof b64 !== 'string' && (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? text : undefined;
}

function decodeMessage(raw: unknown, i: number, topic: string, partition: number): DeliveredMessage {
  const m = raw as Partial<KafkaBatchMessage> | null;
  if (typeof m !== 'object' || m === null) throw bad(`batch message #${i} is not an object`);
  if (!isOffset(m.offset)) throw bad(`batch message #${i}: offset must be a decimal string (int64), got ${JSON.stringify(m.offset)}`);
  const where = `batch message #${i} (offset ${m.offset})`;
  if (!optionalString(m.key) || !optionalString(m.key_b64)) throw bad(`${where}: key must be a string or null, key_b64 a string`);
  if (!optionalString(m.value)) throw bad(`${where}: value must be a string`);
  if (!optionalString(m.value_b64)) throw bad(`${where}: value_b64 must be a string`);
  if (!optionalString(m.timestamp)) throw bad(`${where}: timestamp must be a decimal string`);
  return {
    topic,
    partition,
    offset: m.offset,
    key: bytesFromWire(m.key, m.key_b64),
    value: bytesFromWire(m.value, m.value_b64),
    timestamp: m.timestamp ?? '',
    headers: decodeHeaders(m.headers, where),
    keyText: textOfWire(m.key, m.key_b64),
    valueText: textOfWire(m.value, m.value_b64),
  };
}

/** Check and decode a parsed KafkaBatch body. Throws ValidationError `invalid_batch` (HTTP 400). */
export function decodeBatch(body: unknown): DeliveredBatch {
  const b = body as Partial<KafkaBatch> | null;
  if (typeof b !== 'object' || b === null || Buffer.isBuffer(b) || typeof b.topic !== 'string' || !isPartition(b.partition) || !Array.isArray(b.messages)) {
    throw bad('body is not a KafkaBatch {topic, partition, messages[]}');
  }
  const { topic, partition } = b;
  return { topic, partition, messages: b.messages.map((m, i) => decodeMessage(m, i, topic, partition)) };
}
