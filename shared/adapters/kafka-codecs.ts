/**
 * Every Kafka record-batch codec for kafkajs, which ships gzip only. Registered once, globally
 * (kafkajs keeps its codecs in a module-level table), by createKafka():
 *   - snappy: raw snappy, or the xerial framing Java producers write (magic, version, then
 *     length-prefixed snappy blocks), decoded with @platformatic/wasm-utils (WebAssembly);
 *   - lz4: the LZ4 frame format Kafka uses (>= 0.10), @platformatic/wasm-utils;
 *   - zstd: node:zlib's zstd (Node >= 23.8).
 * kafkajs compresses with the same codecs when a producer asks for them.
 */
import zlib from 'node:zlib';
// kafkajs is CommonJS and its codec table is not a named export Node can see: take the default.
import kafkajs from 'kafkajs';
import { lz4Compress, lz4Decompress, snappyCompress, snappyDecompress } from '@platformatic/wasm-utils';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic (8 bytes), version (4), compatible version (4). */
const XERIAL_HEADER_BYTES = 16;

/** Decode snappy data, raw or in xerial framing. Throws on truncated frames. */
export function snappyUnframe(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return snappyDecompress(data);
  const parts: Buffer[] = [];
  let offset = XERIAL_HEADER_BYTES;
  while (offset < data.length) {
    if (offset + 4 > data.length) throw new Error('snappy (xerial): truncated block length');
    const n = data.readUInt32BE(offset);
    offset += 4;
    if (offset + n > data.length) throw new Error('snappy (xerial): truncated block');
    parts.push(snappyDecompress(data.subarray(offset, offset + n)));
    offset += n;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

interface Encoder {
  buffer: Buffer;
}

type Codec = () => { compress(encoder: Encoder): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };

const snappy: Codec = () => ({
  compress: async (e) => snappyCompress(e.buffer),
  decompress: async (b) => snappyUnframe(b),
});
const lz4: Codec = () => ({
  compress: async (e) => lz4Compress(e.buffer),
  decompress: async (b) => lz4Decompress(b),
});
const zstd: Codec = () => ({
  compress: async (e) => zlib.zstdCompressSync(e.buffer),
  decompress: async (b) => zlib.zstdDecompressSync(b),
});

const { CompressionCodecs, CompressionTypes } = kafkajs;
let registered = false;

/** Make kafkajs read and write snappy, lz4 and zstd batches (idempotent). */
export function registerKafkaCodecs(): void {
  if (registered) return;
  CompressionCodecs[CompressionTypes.Snappy] = snappy;
  CompressionCodecs[CompressionTypes.LZ4] = lz4;
  CompressionCodecs[CompressionTypes.ZSTD] = zstd;
  registered = true;
}
