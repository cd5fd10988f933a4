import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch, type WireMessage } from './wire-batch.ts';

describe('packBatch / unpackBatch', () => {
  it('round-trips keys, values (text and bytes) and partitions, including multi-byte UTF-8', () => {
    const msgs: WireMessage[] = [
      { key: 'o-1-abc-0', value: '{"order_id":"o-1-abc-0"}', partition: 3 },
      { key: 'ключ', value: 'São Paulo 日本 🙂'.repeat(50), partition: 0 },
      { key: '', value: '', partition: 1 },
      { key: 'raw', value: Uint8Array.from([0xff, 0xfe, 0x00, 0x41]), partition: 2 },
    ];
    const packed = packBatch(msgs);
    const back = unpackBatch(packed);
    expect(back.map((m) => m.key.toString('utf8'))).toEqual(msgs.map((m) => m.key));
    expect(back.map((m) => m.partition)).toEqual([3, 0, 1, 2]);
    expect(back[0]!.value.toString('utf8')).toBe(msgs[0]!.value);
    expect(back[1]!.value.toString('utf8')).toBe(msgs[1]!.value);
    expect(back[2]!.value.length).toBe(0);
    expect([...back[3]!.value]).toEqual([0xff, 0xfe, 0x00, 0x41]);
    expect(packed.data.byteLength).toBe(back.reduce((a, m) => a + m.key.length + m.value.length, 0));
  });

  it('takes the all-ASCII fast path and the mixed path to the same bytes', () => {
    const ascii: WireMessage[] = [
      { key: 'a', value: '{"x":1}', partition: 0 },
      { key: 'bb', value: '', partition: 1 },
    ];
    const mixed: WireMessage[] = [...ascii, { key: 'c', value: 'é', partition: 2 }];
    const a = unpackBatch(packBatch(ascii));
    const m = unpackBatch(packBatch(mixed));
    expect(m.slice(0, 2).map((x) => [x.key.toString(), x.value.toString(), x.partition])).toEqual(a.map((x) => [x.key.toString(), x.value.toString(), x.partition]));
    expect(m[2]!.value.toString('utf8')).toBe('é');
    expect(m[2]!.value.length).toBe(2);
  });

  it('survives a structured clone with transfer (as between threads)', () => {
    const msgs: WireMessage[] = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: `v${'x'.repeat(i)}`, partition: i % 4 }));
    const packed = packBatch(msgs);
    const moved = structuredClone(packed, { transfer: [packed.data, packed.offsets.buffer, packed.partitions.buffer] });
    expect(packed.data.byteLength).toBe(0);
    const back = unpackBatch(moved);
    expect(back.map((m) => `${m.key.toString()}|${m.value.toString()}|${m.partition}`)).toEqual(msgs.map((m) => `${m.key}|${m.value as string}|${m.partition}`));
  });
});
