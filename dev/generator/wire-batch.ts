/**
 * Packs a batch of keyed messages into one transferable buffer (plus offsets and partitions) so
 * it can cross to a worker thread without copying, and unpacks it there as zero-copy Buffer
 * views. UTF-8 encoding happens once, here, instead of inside the Kafka client.
 */
export interface WireMessage {
  key: string;
  value: string | Uint8Array;
  partition: number;
}

export interface PackedBatch {
  /** All keys and values, back to back. */
  data: ArrayBuffer;
  /** Per message: keyStart, keyEnd (= valueStart), valueEnd. */
  offsets: Uint32Array;
  partitions: Int32Array;
}

/** Fast path: all keys and values are ASCII text, so one latin1 encode gives the UTF-8 bytes. */
function packAscii(messages: readonly WireMessage[]): PackedBatch | null {
  const parts = new Array<string>(messages.length * 2);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (typeof m.value !== 'string') return null;
    parts[i * 2] = m.key;
    parts[i * 2 + 1] = m.value;
  }
  const text = parts.join('');
  if (Buffer.byteLength(text, 'utf8') !== text.length) return null;
  const bytes = Buffer.from(text, 'latin1');
  const offsets = new Uint32Array(messages.length * 3);
  const partitions = new Int32Array(messages.length);
  let off = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    offsets[i * 3] = off;
    off += m.key.length;
    offsets[i * 3 + 1] = off;
    off += (m.value as string).length;
    offsets[i * 3 + 2] = off;
    partitions[i] = m.partition;
  }
  return { data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), offsets, partitions };
}

export function packBatch(messages: readonly WireMessage[]): PackedBatch {
  const ascii = packAscii(messages);
  if (ascii) return ascii;
  let chars = 0;
  for (const m of messages) chars += m.key.length + (typeof m.value === 'string' ? m.value.length : m.value.length);
  // UTF-8 needs at most 3 bytes per UTF-16 code unit; ASCII (the usual case) needs 1.
  let buf = Buffer.allocUnsafeSlow(Math.max(64, chars + 64));
  const offsets = new Uint32Array(messages.length * 3);
  const partitions = new Int32Array(messages.length);
  let off = 0;
  const ensure = (need: number): void => {
    if (off + need <= buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, off + need));
    buf.copy(bigger, 0, 0, off);
    buf = bigger;
  };
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    offsets[i * 3] = off;
    ensure(m.key.length * 3);
    off += buf.write(m.key, off, 'utf8');
    offsets[i * 3 + 1] = off;
    if (typeof m.value === 'string') {
      ensure(m.value.length * 3);
      off += buf.write(m.value, off, 'utf8');
    } else {
      ensure(m.value.length);
      buf.set(m.value, off);
      off += m.value.length;
    }
    offsets[i * 3 + 2] = off;
    partitions[i] = m.partition;
  }
  // Hand over exactly the bytes used (slice of the backing store, transferable on its own).
  const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + off);
  return { data, offsets, partitions };
}

export function unpackBatch(p: PackedBatch): { key: Buffer; value: Buffer; partition: number }[] {
  const n = p.partitions.length;
  const out = new Array<{ key: Buffer; value: Buffer; partition: number }>(n);
  for (let i = 0; i < n; i++) {
    const a = p.offsets[i * 3]!;
    const b = p.offsets[i * 3 + 1]!;
    const c = p.offsets[i * 3 + 2]!;
    out[i] = { key: Buffer.from(p.data, a, b - a), value: Buffer.from(p.data, b, c - b), partition: p.partitions[i]! };
  }
  return out;
}
