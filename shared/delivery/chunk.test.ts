import { describe, expect, it } from 'vitest';
import { chunk } from './chunk.ts';
import { encodedSize } from './kafka-batch.ts';
import type { KafkaRecord } from './wire.ts';

const rec = (offset: number, value: Buffer | null): KafkaRecord => ({ offset: String(offset), key: Buffer.from(`k${offset}`), value, timestamp: '1700000000000', headers: [] });
const many = (n: number, size: number): KafkaRecord[] => Array.from({ length: n }, (_, i) => rec(i, Buffer.alloc(size, 97)));
const bySize = (maxSize: number, maxItems?: number) => ({ maxSize, maxItems, sizeOf: encodedSize });

describe('chunk', () => {
  it('caps items per chunk and keeps order without gaps', () => {
    const chunks = chunk(many(2500, 10), bySize(1 << 30, 1000));
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(chunks.flat().map((m) => Number(m.offset))).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('caps size per chunk, but never splits or drops an oversize item', () => {
    const msgs = many(10, 1000);
    const per = encodedSize(msgs[0]!);
    expect(chunk(msgs, bySize(per * 3, 1000)).map((c) => c.length)).toEqual([3, 3, 3, 1]);
    const big = [rec(0, Buffer.alloc(10)), rec(1, Buffer.alloc(100_000)), rec(2, Buffer.alloc(10))];
    expect(chunk(big, bySize(1000, 1000)).map((c) => c.map((m) => m.offset))).toEqual([['0'], ['1'], ['2']]);
    expect(chunk([], bySize(10, 10))).toEqual([]);
  });

  it('without an item cap, only size cuts', () => {
    expect(chunk(Array.from({ length: 10 }, () => 'x'.repeat(98)), { maxSize: 300, sizeOf: (s) => s.length }).map((c) => c.length)).toEqual([3, 3, 3, 1]);
  });

  it('counts headers, keys and tombstones in the encoded size', () => {
    const plain = encodedSize(rec(0, Buffer.alloc(300)));
    expect(encodedSize({ ...rec(0, Buffer.alloc(300)), headers: [{ key: 'trace', value: Buffer.alloc(300) }] })).toBeGreaterThan(plain + 300);
    expect(encodedSize(rec(0, null))).toBeLessThan(plain);
  });
});
