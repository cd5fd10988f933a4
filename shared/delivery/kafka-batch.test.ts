import { describe, expect, it } from 'vitest';
import { chunkMessages, decodeBatch, encodeBatch, encodeMessage, encodedSize, messageValue, type RawMessage } from './kafka-batch.ts';

const msg = (offset: number, value: Buffer | null, key: string | null = `k${offset}`): RawMessage => ({
  offset: String(offset),
  key: key === null ? null : Buffer.from(key),
  value,
  timestamp: '1700000000000',
});

describe('batch encoding', () => {
  it('sends valid UTF-8 as a string and everything else as base64, both round-tripping exactly', () => {
    const samples: Buffer[] = [
      Buffer.from('{"order_id":"o-1","city":"São Paulo","emoji":"🛒"}'),
      Buffer.from('\ufeffwith BOM'),
      Buffer.from([0xff, 0xfe, 0x00]), // invalid UTF-8
      Buffer.from([0xc0, 0xaf]), // overlong encoding
      Buffer.from([0xed, 0xa0, 0x80]), // lone surrogate (CESU-8)
      Buffer.from([0xe2, 0x82]), // truncated sequence
      Buffer.from('{"a":1'), // truncated JSON, still text
      Buffer.alloc(0),
    ];
    for (const v of samples) {
      const e = encodeMessage(msg(1, v));
      const roundTrips = Buffer.from(v.toString('utf8'), 'utf8').equals(v);
      expect(typeof e.value === 'string', v.toString('hex')).toBe(roundTrips);
      expect(typeof e.value_b64 === 'string', v.toString('hex')).toBe(!roundTrips);
      expect(messageValue(e)!.equals(v)).toBe(true);
    }
  });

  it('encodes tombstones and null keys without value fields', () => {
    const e = encodeMessage(msg(3, null, null));
    expect(e).toEqual({ offset: '3', key: null, timestamp: '1700000000000' });
    expect(messageValue(e)).toBeNull();
  });

  it('round-trips a whole batch through JSON', () => {
    const msgs = [msg(10, Buffer.from('a')), msg(11, Buffer.from([0x80])), msg(12, null)];
    const body = JSON.parse(encodeBatch('orders', 2, msgs).toString('utf8')) as unknown;
    const b = decodeBatch(body);
    expect(b.topic).toBe('orders');
    expect(b.partition).toBe(2);
    expect(b.messages.map((m) => m.offset)).toEqual(['10', '11', '12']);
    expect(b.messages.map((m) => messageValue(m)?.toString('hex') ?? null)).toEqual(['61', '80', null]);
    expect(() => decodeBatch({ topic: 'x', partition: 0 })).toThrow(/not a KafkaBatch/);
    expect(() => decodeBatch({ topic: 'x', partition: 0, messages: [{ offset: '1', key: null, value: 5 }] })).toThrow(/value must be a string/);
  });
});

describe('chunking', () => {
  const many = (n: number, size: number) => Array.from({ length: n }, (_, i) => msg(i, Buffer.alloc(size, 97)));

  it('caps messages per chunk and keeps order without gaps', () => {
    const chunks = chunkMessages(many(2500, 10), 1000, 1 << 30);
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(chunks.flat().map((m) => Number(m.offset))).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('caps bytes per chunk, but never splits or drops an oversize message', () => {
    const msgs = many(10, 1000);
    const per = encodedSize(msgs[0]!);
    const chunks = chunkMessages(msgs, 1000, per * 3);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3, 1]);
    const big = [msg(0, Buffer.alloc(10)), msg(1, Buffer.alloc(100_000)), msg(2, Buffer.alloc(10))];
    expect(chunkMessages(big, 1000, 1000).map((c) => c.map((m) => m.offset))).toEqual([['0'], ['1'], ['2']]);
    expect(chunkMessages([], 10, 10)).toEqual([]);
  });
});
