/**
 * The incremental feed of the batch analytics: the orders ingest accepted, read from Kafka
 * (`orders.accepted`, one canonical event per accepted order_id; duplicates again), as analytics
 * rows. The DuckDB engine reads the hot store once (cold start, repair), taking the topic's end
 * offsets BEFORE that scan, then follows the topic from those offsets: every order whose message
 * lies before them was stored before the scan began (ingest inserts the fact, then sends), every
 * later one comes through the feed. Positions are in memory, like the engine's tables: a
 * restarted process starts cold, so nothing is committed to Kafka.
 */
import type { AnalyticsRow } from './rows.ts';

/** Partition → offset. */
export type Offsets = ReadonlyMap<number, bigint>;

/** A partition's retained range: `low` = first retained offset, `high` = next offset to be written. */
export interface PartitionRange {
  low: bigint;
  high: bigint;
}

export interface DrainOptions {
  /** Give up (DependencyError naming Kafka) when the positions do not reach `until` in time. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface DrainResult {
  rows: number;
  /** Messages that were not an accepted order (skipped, logged). */
  invalid: number;
}

export interface AcceptedFeed {
  /** The topic's partitions with their retained range now. */
  ranges(): Promise<Map<number, PartitionRange>>;
  /** (Re)start reading at `from` (every partition of the topic); anything buffered is dropped. */
  seek(from: Offsets): Promise<void>;
  /** The next offset to read per partition. */
  positions(): Offsets;
  /**
   * Hand every row read so far to `apply` (possibly in several calls), until every partition's
   * position has reached `until`.
   */
  drain(until: Offsets, apply: (rows: AnalyticsRow[]) => Promise<void>, opts: DrainOptions): Promise<DrainResult>;
  close(): Promise<void>;
}

/** Partitions whose unread messages the broker no longer has (retention): the feed cannot be trusted, re-read the hot store. */
export function lostPartitions(positions: Offsets, ranges: ReadonlyMap<number, PartitionRange>): number[] {
  const lost: number[] = [];
  for (const [p, r] of ranges) {
    const pos = positions.get(p);
    if (pos === undefined ? r.low > 0n : pos < r.low) lost.push(p);
  }
  return lost;
}

/** True when every partition of `until` is reached by `positions`. */
export function caughtUp(positions: Offsets, until: Offsets): boolean {
  for (const [p, end] of until) if ((positions.get(p) ?? 0n) < end) return false;
  return true;
}
