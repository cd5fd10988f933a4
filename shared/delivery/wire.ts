/**
 * The one definition of how a Kafka message travels from the connector to a function. Pure.
 *
 * Two ways, both decoded by decodeEvent (decode-event.ts) into the same DeliveredMessage:
 *   batch   our connector's default: one POST per chunk of consecutive messages of one
 *           partition, content-type KAFKA_BATCH_CONTENT_TYPE, body a KafkaBatch (JSON, below).
 *   single  the OpenFaaS-connector way (single.ts): raw value as the body, coordinates in
 *           X-Topic, X-Kafka-Partition, X-Kafka-Offset, X-Kafka-Key (X-Kafka-Timestamp, and our
 *           X-Kafka-Key-B64 for keys that cannot be an HTTP header value).
 *
 * Rules (docs/runtime.md, "Delivery format", says the same):
 *   bytes      Every byte string (value, key, header value) goes as UTF-8 text in `<field>` when
 *              it is valid UTF-8 (decoding and re-encoding gives the same bytes), otherwise
 *              base64 in `<field>_b64`. Neither field (or JSON null) = null. Decoding always
 *              gives the exact bytes back.
 *   tombstone  value null: neither `value` nor `value_b64`. A zero-length value is `"value": ""`
 *              and stays a zero-length Buffer. In single mode a body cannot say null: an empty
 *              body decodes as a tombstone (the two cannot be told apart there).
 *   key        null = no key (`"key": null`); a zero-length key is `"key": ""` and stays a
 *              zero-length Buffer. In single mode an empty (or absent) X-Kafka-Key means no key,
 *              as the OpenFaaS connector sends it; our connector sends a zero-length key as an
 *              empty X-Kafka-Key-B64 (and any key that cannot be a header value base64 there).
 *   partition  a JSON integer (0 ≤ p < 2^31) in a batch. In single mode X-Kafka-Partition, when
 *              present, must be such a number; absent = -1 (unknown).
 *   offset     a decimal string (int64: never a JS number). In single mode X-Kafka-Offset,
 *              when present, must be one; absent = "-1" (unknown).
 *   timestamp  Kafka's milliseconds since the epoch as a decimal string, as kafkajs gives it;
 *              "" when the delivery did not say (the OpenFaaS connector does not).
 *   headers    Kafka record headers, in record order (a repeated key appears once per value):
 *              `headers: [{key, value | value_b64}]`, omitted when there are none; decoded as
 *              [{key, value: Buffer | null}]. Single mode does not carry record headers.
 */
import { isUtf8 } from 'node:buffer';

/** Content-type of a KafkaBatch body. */
export const KAFKA_BATCH_CONTENT_TYPE = 'application/vnd.orderpulse.kafka-batch+json';

/** A Kafka record header on the wire. */
export interface KafkaBatchHeader {
  key: string;
  value?: string;
  value_b64?: string;
}

/** One message on the wire (see the rules above). */
export interface KafkaBatchMessage {
  /** Decimal int64. */
  offset: string;
  /** UTF-8 key; null (or absent) = no key unless key_b64 is set. */
  key?: string | null;
  key_b64?: string;
  value?: string;
  value_b64?: string;
  /** Milliseconds since the epoch, decimal; "" = unknown. */
  timestamp: string;
  headers?: KafkaBatchHeader[];
}

/** The JSON body of one batched invocation: consecutive messages of one partition. */
export interface KafkaBatch {
  topic: string;
  partition: number;
  messages: KafkaBatchMessage[];
}

/** A Kafka record header, decoded. */
export interface KafkaHeader {
  key: string;
  value: Buffer | null;
}

/** A Kafka record as the connector reads it (and as encode takes it). */
export interface KafkaRecord {
  offset: string;
  key: Buffer | null;
  /** null = tombstone. */
  value: Buffer | null;
  timestamp: string;
  headers: KafkaHeader[];
}

/** A message as a function sees it, whichever way it was delivered. */
export interface DeliveredMessage extends KafkaRecord {
  topic: string;
  /** -1 when a single-message delivery did not say. */
  partition: number;
  /**
   * The key and the value as the text the delivery carried them in (a batch's `key` / `value`
   * fields: valid UTF-8, exactly the bytes of `key` / `value`); undefined otherwise (base64,
   * null, a single-message delivery). A consumer that reads text uses it instead of decoding
   * the Buffer again (ingest validates the value's text).
   */
  keyText?: string | undefined;
  valueText?: string | undefined;
}

/** What one invocation carries: messages of one topic partition, in offset order. */
export interface DeliveredBatch {
  topic: string;
  partition: number;
  messages: DeliveredMessage[];
}

/** Text when the bytes are valid UTF-8, else base64: the one rule for every byte string. */
export function bytesToWire(bytes: Buffer): { text: string } | { b64: string } {
  // isUtf8 is exact: valid UTF-8 is precisely what decodes and re-encodes to the same bytes.
  return isUtf8(bytes) ? { text: bytes.toString('utf8') } : { b64: bytes.toString('base64') };
}

/** The bytes of a `<field>` / `<field>_b64` pair; null when neither is a string. */
export function bytesFromWire(text: unknown, b64: unknown): Buffer | null {
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64');
  if (typeof text === 'string') return Buffer.from(text, 'utf8');
  return null;
}

/** The batch of DeliveredMessages for records of one partition (no wire involved: tests, benchmarks). */
export function deliveredBatch(topic: string, partition: number, records: readonly KafkaRecord[]): DeliveredBatch {
  return { topic, partition, messages: records.map((r) => ({ topic, partition, ...r })) };
}

/** Record headers as kafkajs gives them (an object; repeated keys as arrays; string or Buffer values), in order. */
export function headersFromObject(obj: Record<string, Buffer | string | null | undefined | (Buffer | string | null)[]> | undefined): KafkaHeader[] {
  const out: KafkaHeader[] = [];
  if (obj === undefined) return out;
  const one = (key: string, v: Buffer | string | null | undefined): void => {
    out.push({ key, value: v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8') });
  };
  for (const [key, v] of Object.entries(obj)) {
    if (Array.isArray(v)) for (const x of v) one(key, x);
    else one(key, v);
  }
  return out;
}

/** A kafkajs-shaped message (structural: shared/ never imports kafkajs) as a KafkaRecord. */
export function recordFromKafka(m: {
  offset: string;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  timestamp: string;
  headers?: Record<string, Buffer | string | null | undefined | (Buffer | string | null)[]>;
}): KafkaRecord {
  const bytes = (v: Buffer | string | null | undefined): Buffer | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'));
  return { offset: m.offset, key: bytes(m.key), value: bytes(m.value), timestamp: m.timestamp, headers: headersFromObject(m.headers) };
}
