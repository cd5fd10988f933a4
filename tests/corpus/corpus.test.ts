import { describe, expect, it } from 'vitest';
import { validateOrder } from '../../shared/contract/validate.ts';
import type { DlqRecord } from '../../shared/contract/types.ts';
import { ingestBatch } from '../../shared/ingest/ingest.ts';
import { DLQ_RAW_MAX_BYTES } from '../../shared/ingest/messages.ts';
import { MemoryStore } from '../../shared/ingest/testing/memory-store.ts';
import type { Outcome } from '../../shared/ingest/types.ts';
import { RecordingSink, toBatch, toBatches } from './batch.ts';
import { buildCorpus, corpusSummary } from './corpus.ts';

const MAX = 64 * 1024;
const topics = { dlq: 'orders.dlq', accepted: 'orders.accepted' };
const corpus = buildCorpus();

describe('hostile-event corpus', () => {
  it('has at least 200 bad entries covering every reason', () => {
    const s = corpusSummary(corpus);
    const bad = corpus.filter((e) => e.expected !== 'accepted' && e.expected !== 'duplicate').length;
    expect(bad).toBeGreaterThanOrEqual(200);
    for (const r of ['invalid_json', 'invalid_utf8', 'schema', 'total_mismatch', 'oversize', 'forbidden_key', 'conflict', 'key_mismatch', 'accepted', 'duplicate']) {
      expect(s[r] ?? 0, r).toBeGreaterThan(0);
    }
    expect(new Set(corpus.map((e) => e.name)).size).toBe(corpus.length);
  });

  it('is deterministic', () => {
    const again = buildCorpus();
    expect(again.map((e) => e.bytes.toString('base64'))).toEqual(corpus.map((e) => e.bytes.toString('base64')));
  });

  it('every entry gets exactly its expected validation reason', () => {
    const wrong: string[] = [];
    for (const e of corpus) {
      const r = validateOrder(e.bytes, { maxBytes: MAX, key: e.key });
      const got = r.ok ? 'valid' : r.reason;
      const want = e.expected === 'accepted' || e.expected === 'duplicate' || e.expected === 'conflict' ? 'valid' : e.expected;
      if (got !== want) wrong.push(`${e.name}: want ${want}, got ${got}${r.ok ? '' : ` (${r.detail})`}`);
    }
    expect(wrong).toEqual([]);
  });

  for (const batchSize of [corpus.length, 7, 1]) {
    it(`through the ingest core in batches of ${batchSize}: every outcome as expected, raw bytes intact, counts reconcile`, async () => {
      const store = new MemoryStore();
      const sink = new RecordingSink();
      const outcomes: Outcome[] = [];
      let received = 0, accepted = 0, dups = 0, dlq = 0;
      for (const b of toBatches(corpus, batchSize)) {
        const r = await ingestBatch(b, { store, sink, topics, maxEventBytes: MAX });
        outcomes.push(...r.outcomes);
        received += r.counts.received;
        accepted += r.counts.accepted;
        dups += r.counts.duplicates;
        dlq += Object.values(r.counts.dlq).reduce((a, n) => a + (n ?? 0), 0);
      }
      expect(outcomes).toEqual(corpus.map((e) => e.expected));
      expect(received).toBe(corpus.length);
      expect(accepted + dups + dlq).toBe(received);
      expect(store.facts.size).toBe(accepted);

      const dlqRecs = sink.on(topics.dlq).map((m) => JSON.parse(String(m.value)) as DlqRecord);
      expect(dlqRecs.length).toBe(dlq);
      for (const rec of dlqRecs) {
        const entry = corpus[Number(rec.source.offset)]!;
        expect(rec.reason).toBe(entry.expected);
        const raw = Buffer.from(rec.raw_b64, 'base64');
        if (entry.bytes.length <= DLQ_RAW_MAX_BYTES) expect(raw.equals(entry.bytes), entry.name).toBe(true);
        else {
          // Larger than a Kafka message allows once base64-encoded: a prefix, and the detail says so.
          expect(raw.equals(entry.bytes.subarray(0, DLQ_RAW_MAX_BYTES))).toBe(true);
          expect(rec.detail).toContain(`truncated to the first ${DLQ_RAW_MAX_BYTES} of ${entry.bytes.length} bytes`);
        }
        expect(rec.source).toMatchObject({ topic: 'orders', partition: 0, key: entry.key });
      }
      // One accepted message per accepted order_id, none for conflicts-only ids.
      const acc = sink.on(topics.accepted);
      expect(new Set(acc.map((m) => m.key)).size).toBe(accepted);
    });
  }

  it('replaying the corpus changes no fact and turns every accepted event into a duplicate', async () => {
    const store = new MemoryStore();
    const sink = new RecordingSink();
    const first = await ingestBatch(toBatch(corpus), { store, sink, topics, maxEventBytes: MAX });
    const snapshot = new Map([...store.facts].map(([k, v]) => [k, JSON.stringify(v)]));
    const second = await ingestBatch(toBatch(corpus), { store, sink, topics, maxEventBytes: MAX });
    expect(second.counts.accepted).toBe(0);
    expect(second.counts.duplicates).toBe(first.counts.duplicates + first.counts.accepted);
    expect(second.counts.dlq).toEqual(first.counts.dlq);
    expect(new Map([...store.facts].map(([k, v]) => [k, JSON.stringify(v)]))).toEqual(snapshot);
  });
});
