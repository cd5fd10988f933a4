/**
 * Kafka's default key partitioner (Java client: murmur2 of the key bytes, made positive, modulo
 * the partition count), in 32-bit integer arithmetic. kafkajs's DefaultPartitioner computes the
 * same value with 64-bit Long emulation, which costs more than everything else the generator
 * does per message; computing it here and passing `partition` gives identical placement.
 */
const M = 0x5bd1e995;
let scratch = new Uint8Array(256);

/** murmur2 (seed 0x9747b28c) of `length` bytes, as a signed 32-bit integer. */
function murmur2Bytes(data: Uint8Array, length: number): number {
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] as number) | ((data[i4 + 1] as number) << 8) | ((data[i4 + 2] as number) << 16) | ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[tail + 2] as number) << 16;
    if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** murmur2 of a key's UTF-8 bytes (ASCII keys are read without allocating). */
export function murmur2(key: string | Uint8Array): number {
  if (typeof key !== 'string') return murmur2Bytes(key, key.length);
  const n = key.length;
  if (n > scratch.length) scratch = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) {
      const b = Buffer.from(key, 'utf8');
      return murmur2Bytes(b, b.length);
    }
    scratch[i] = c;
  }
  return murmur2Bytes(scratch, n);
}

/** The partition Kafka's default partitioner picks for a key. */
export function partitionForKey(key: string | Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
