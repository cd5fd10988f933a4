/** Encoding of the messages ingest produces (DLQ records) and their chunking into produce requests. */
import type { DlqReason, DlqRecord } from '../contract/types.ts';
import { sha256Hex } from '../contract/canonical.ts';
import type { OutMessage } from '../adapters/kafka.ts';
import { chunk } from '../delivery/chunk.ts';

/**
 * Largest raw payload copied into a DLQ record. Kafka's default max message size is 1 MiB and
 * base64 grows bytes by 4/3, so bigger payloads (only possible for `oversize`) are truncated and
 * the record says so, with the length and SHA-256 of the full payload.
 */
export const DLQ_RAW_MAX_BYTES = 512 * 1024;

export interface DlqSource {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

export function dlqRecord(raw: Buffer, reason: DlqReason, detail: string, source: DlqSource, orderId: string | null, at: string): DlqRecord {
  let bytes = raw;
  let note = '';
  if (raw.length > DLQ_RAW_MAX_BYTES) {
    bytes = raw.subarray(0, DLQ_RAW_MAX_BYTES);
    note = ` [raw_b64 truncated to the first ${DLQ_RAW_MAX_BYTES} of ${raw.length} bytes; sha256 of all bytes ${sha256Hex(raw)}]`;
  }
  return { reason, detail: detail + note, raw_b64: bytes.toString('base64'), source, order_id: orderId, at };
}

/**
 * The Kafka message of a DLQ record. Headers: `reason`, and the source message's `source_topic`,
 * `source_partition`, `source_offset`, so a reader can tell a redelivered record (same source
 * offset) from a new one without parsing the value.
 */
export function dlqMessage(rec: DlqRecord): OutMessage {
  return {
    key: rec.source.key,
    value: JSON.stringify(rec),
    headers: { reason: rec.reason, source_topic: rec.source.topic, source_partition: String(rec.source.partition), source_offset: rec.source.offset },
  };
}

/** `topic/partition/offset` of a DLQ message's source, from its headers; null when they are missing. */
export function dlqSourceOfHeaders(headers: Record<string, string | Buffer | undefined> | undefined): string | null {
  const text = (v: string | Buffer | undefined): string | undefined => (v === undefined ? undefined : String(v));
  const t = text(headers?.source_topic);
  const p = text(headers?.source_partition);
  const o = text(headers?.source_offset);
  return t === undefined || p === undefined || o === undefined ? null : `${t}/${p}/${o}`;
}

/**
 * Split messages into sends of at most `maxUnits` value characters/bytes each, so one produce
 * request never exceeds the broker's message.max.bytes (a string unit is ≤ 3 UTF-8 bytes, so the
 * default 256 Ki units stay under 1 MiB per partition batch).
 */
export function chunkMessages(messages: OutMessage[], maxUnits = 256 * 1024): OutMessage[][] {
  return chunk(messages, { maxSize: maxUnits, sizeOf: (m) => m.value.length + (m.key === null ? 0 : m.key.length) });
}
