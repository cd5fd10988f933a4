import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chunkMessages, dlqMessage, dlqRecord, dlqSourceOfHeaders, DLQ_RAW_MAX_BYTES } from './messages.ts';
import { RecentSet } from './dim-cache.ts';

const src = { topic: 'orders', partition: 1, offset: '7', key: 'k' };

describe('messages', () => {
  it('DLQ records round-trip raw bytes and truncate only what Kafka could not carry', () => {
    const small = Buffer.from([0, 255, 10]);
    const rec = dlqRecord(small, 'invalid_utf8', 'd', src, null, 'T');
    expect(Buffer.from(rec.raw_b64, 'base64')).toEqual(small);
    expect(rec).toMatchObject({ reason: 'invalid_utf8', detail: 'd', source: src, order_id: null, at: 'T' });
    const big = Buffer.alloc(DLQ_RAW_MAX_BYTES + 10, 7);
    const r2 = dlqRecord(big, 'oversize', 'too big', src, null, 'T');
    expect(Buffer.from(r2.raw_b64, 'base64').length).toBe(DLQ_RAW_MAX_BYTES);
    expect(r2.detail).toContain(createHash('sha256').update(big).digest('hex'));
    expect(dlqMessage(rec)).toEqual({ key: 'k', value: JSON.stringify(rec), headers: { reason: 'invalid_utf8', source_topic: 'orders', source_partition: '1', source_offset: '7' } });
  });

  it('DLQ headers name the source offset; a reader keys duplicates by it', () => {
    const m = dlqMessage(dlqRecord(Buffer.from('x'), 'invalid_json', 'd', src, null, 'T'));
    expect(dlqSourceOfHeaders(m.headers)).toBe('orders/1/7');
    expect(dlqSourceOfHeaders({ source_topic: Buffer.from('orders'), source_partition: Buffer.from('1'), source_offset: Buffer.from('7') })).toBe('orders/1/7');
    expect(dlqSourceOfHeaders({ reason: 'schema' })).toBeNull();
    expect(dlqSourceOfHeaders(undefined)).toBeNull();
  });

  it('chunks sends by size, keeping order, never an empty chunk', () => {
    const msgs = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(98) }));
    const chunks = chunkMessages(msgs, 300);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3, 1]);
    expect(chunks.flat()).toEqual(msgs);
    expect(chunkMessages([{ key: null, value: 'y'.repeat(1000) }], 10)).toHaveLength(1);
    expect(chunkMessages([])).toEqual([]);
  });
});

describe('RecentSet', () => {
  it('remembers recent ids, promotes old ones, forgets ids unused for a generation', () => {
    const s = new RecentSet(4); // generations of 2
    s.add('a');
    s.add('b');
    s.add('c'); // a, b become the old generation
    expect(s.has('a')).toBe(true); // promoted: current = c, a
    s.add('d'); // current full: old = {c, a}, current = {d}
    expect(s.has('b')).toBe(false); // b was never used in its generation: forgotten
    expect(s.has('c')).toBe(true);
    expect(s.size).toBeLessThanOrEqual(4);
    expect([s.hits, s.misses]).toEqual([2, 1]);
  });
  it('holds nothing with capacity 0', () => {
    const s = new RecentSet(0);
    s.add('a');
    expect(s.has('a')).toBe(false);
  });
});
