/**
 * The one chunker: consecutive items, in order, into chunks of at most `maxItems` items and
 * `maxSize` total size — except that an item bigger than `maxSize` is never split or dropped: it
 * goes alone. Never an empty chunk. Used by the Kafka connector (messages per invocation) and by
 * ingest (messages per produce request).
 */
export interface ChunkLimits<T> {
  maxSize: number;
  sizeOf: (item: T) => number;
  /** Default: no limit. */
  maxItems?: number;
}

export function chunk<T>(items: readonly T[], limits: ChunkLimits<T>): T[][] {
  const maxItems = limits.maxItems ?? Infinity;
  const chunks: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const item of items) {
    const n = limits.sizeOf(item);
    if (cur.length > 0 && (cur.length >= maxItems || size + n > limits.maxSize)) {
      chunks.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(item);
    size += n;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}
