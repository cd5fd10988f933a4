import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import { snappyCompress } from '@platformatic/wasm-utils';
import { registerKafkaCodecs, snappyUnframe } from './kafka-codecs.ts';

const text = Buffer.from(JSON.stringify({ order_id: 'o-1', items: Array.from({ length: 20 }, (_, i) => ({ sku: `s${i}`, qty: i })) }));

const { CompressionCodecs, CompressionTypes } = kafkajs;

describe('kafka codecs', () => {
  registerKafkaCodecs();
  for (const [name, type] of [['snappy', CompressionTypes.Snappy], ['lz4', CompressionTypes.LZ4], ['zstd', CompressionTypes.ZSTD]] as const) {
    it(`${name} round-trips through the kafkajs codec table`, async () => {
      const codec = (CompressionCodecs[type] as () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> })();
      const packed = await codec.compress({ buffer: text });
      expect(packed.length).toBeLessThan(text.length);
      expect((await codec.decompress(packed)).equals(text)).toBe(true);
    });
  }

  it('decodes the xerial snappy framing Java producers write (two blocks)', () => {
    const a = text.subarray(0, 100);
    const b = text.subarray(100);
    const block = (x: Buffer): Buffer => {
      const c = snappyCompress(x);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(c.length);
      return Buffer.concat([len, c]);
    };
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(snappyUnframe(Buffer.concat([header, block(a), block(b)])).equals(text)).toBe(true);
    expect(() => snappyUnframe(Buffer.concat([header, block(a)]).subarray(0, 30))).toThrow(/truncated/);
  });

  it('zstd is node:zlib (Node >= 23.8)', () => {
    expect(typeof zlib.zstdDecompressSync).toBe('function');
  });
});
