/**
 * DLQ counts by reason (pure). Every `orders.dlq` record carries its reason in the `reason` header
 * and, in its JSON value, the source message's `{topic, partition, offset}` (docs/ingest.md "DLQ
 * record"). DLQ records are at-least-once: a redelivered batch repeats its records, so a record
 * whose source offset was already counted is a redelivery and is counted once. A record without a
 * readable source (not our JSON) is counted as it is.
 */
import type { DlqCounts } from './types.ts';

/** `topic/partition/offset` of the source message of a DLQ record's value, or null when unreadable. */
export function dlqSourceKey(value: Buffer | string | null): string | null {
  if (value === null) return null;
  try {
    const rec = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as { source?: { topic?: unknown; partition?: unknown; offset?: unknown } };
    const s = rec.source;
    if (!s || typeof s.topic !== 'string' || typeof s.partition !== 'number' || (typeof s.offset !== 'string' && typeof s.offset !== 'number')) return null;
    return `${s.topic}/${s.partition}/${String(s.offset)}`;
  } catch {
    return null;
  }
}

export interface DlqTally {
  /** Count one record: its reason header (null: `unknown`) and its source key (dlqSourceKey). */
  add(reason: string | null, sourceKey: string | null): void;
  counts(): DlqCounts;
}

export function createDlqTally(): DlqTally {
  const seen = new Set<string>();
  const byReason = new Map<string, number>();
  let records = 0;
  let redelivered = 0;
  return {
    add(reason, sourceKey) {
      records++;
      if (sourceKey !== null) {
        if (seen.has(sourceKey)) {
          redelivered++;
          return;
        }
        seen.add(sourceKey);
      }
      const r = reason === null || reason === '' ? 'unknown' : reason;
      byReason.set(r, (byReason.get(r) ?? 0) + 1);
    },
    counts() {
      const by_reason = Object.fromEntries([...byReason.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      return { by_reason, records, redelivered };
    },
  };
}
