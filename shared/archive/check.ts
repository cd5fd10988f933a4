/**
 * The archive-check core: read the hot store's size, decide, and ask archive-move (asynchronously)
 * to bring the store under the low-water mark. Pure decision math + a small runner over ports.
 *
 * Size = Σ over orders_fact and the dimension collections of (data size + index size), as reported
 * by collStats. Data size, not storage size: WiredTiger keeps freed blocks in `storageSize` until a
 * compaction, so a store measured by storage size would never look smaller after a move. FerretDB
 * reports SQLite page counts (4 KiB granular): readings are approximate, never exact bytes.
 * MB means MiB (1 048 576 bytes).
 */
import type { Logger } from '../platform/log.ts';
import type { HotSize, HotStore, ManifestStore, MoveLock } from './hot-store.ts';
import type { Invoker } from '../adapters/gateway.ts';

export const MIB = 1024 * 1024;

export type CheckDecision =
  /** At or below the threshold, nothing in flight. */
  | 'below-threshold'
  /** Above the threshold: archive-move invoked with `orders_to_move`. */
  | 'move'
  /** A move holds the lease right now: not invoking a second one. */
  | 'move-in-progress'
  /** A batch is in flight but nobody holds the lease (a crashed move): archive-move invoked to resume it. */
  | 'resume'
  /** Above the threshold, but orders_fact is empty (the dimensions alone exceed it). */
  | 'nothing-to-move';

export interface SizeFacts {
  totalBytes: number;
  /** orders_fact data + index bytes. */
  factBytes: number;
  factCount: number;
}

export interface DecisionInput extends SizeFacts {
  thresholdMb: number;
  lowWaterFraction: number;
  /** A batch is recorded and not yet deleted. */
  inFlight: boolean;
  /** The move lease is held (a move is running). */
  moverActive: boolean;
}

export interface Decision {
  decision: CheckDecision;
  size_mb: number;
  threshold_mb: number;
  low_water_mb: number;
  avg_order_bytes: number;
  orders_to_move: number;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Orders to delete to go from `totalBytes` down to `lowWaterBytes`, at `avgBytes` per order, capped at `count`. */
export function ordersToReach(totalBytes: number, lowWaterBytes: number, avgBytes: number, count: number): number {
  if (totalBytes <= lowWaterBytes || count <= 0 || !(avgBytes > 0)) return 0;
  return Math.min(count, Math.ceil((totalBytes - lowWaterBytes) / avgBytes));
}

export function decide(input: DecisionInput): Decision {
  const thresholdBytes = input.thresholdMb * MIB;
  const lowWaterBytes = thresholdBytes * input.lowWaterFraction;
  const avg = input.factCount > 0 ? input.factBytes / input.factCount : 0;
  const base = {
    size_mb: round3(input.totalBytes / MIB),
    threshold_mb: input.thresholdMb,
    low_water_mb: round3(lowWaterBytes / MIB),
    avg_order_bytes: Math.round(avg),
  };
  if (input.moverActive) return { ...base, decision: 'move-in-progress', orders_to_move: 0 };
  const over = input.totalBytes > thresholdBytes;
  const n = over ? ordersToReach(input.totalBytes, lowWaterBytes, avg, input.factCount) : 0;
  if (input.inFlight) return { ...base, decision: 'resume', orders_to_move: n };
  if (!over) return { ...base, decision: 'below-threshold', orders_to_move: 0 };
  if (n === 0) return { ...base, decision: 'nothing-to-move', orders_to_move: 0 };
  return { ...base, decision: 'move', orders_to_move: n };
}

export function sizeFacts(size: HotSize, factCollection = 'orders_fact'): SizeFacts {
  let totalBytes = 0;
  let factBytes = 0;
  let factCount = 0;
  for (const c of size.collections) {
    const bytes = c.dataBytes + c.indexBytes;
    totalBytes += bytes;
    if (c.name === factCollection) {
      factBytes = bytes;
      factCount = c.count;
    }
  }
  return { totalBytes, factBytes, factCount };
}

/** The last reading, stored in `archive_status` and served by GET on archive-check. */
export interface CheckReading extends Decision {
  at: string;
  fact_count: number;
  in_flight: string[];
  collections: HotSize['collections'];
  invoked: { function: string; status: number; call_id?: string } | null;
  error: string | null;
}

export interface StatusStore {
  save(reading: CheckReading): Promise<void>;
  load(): Promise<CheckReading | undefined>;
}

export interface CheckDeps {
  hot: HotStore;
  manifests: ManifestStore;
  lock: MoveLock;
  status: StatusStore;
  invoker: Invoker;
  log: Logger;
  now?: () => Date;
}

export interface CheckOptions {
  thresholdMb: number;
  lowWaterFraction: number;
  /** Function to invoke (default archive-move). */
  moveFunction?: string;
}

export async function runCheck(deps: CheckDeps, opts: CheckOptions): Promise<CheckReading> {
  const now = deps.now ?? (() => new Date());
  const size = await deps.hot.readSize();
  const facts = sizeFacts(size);
  const inFlight = await deps.manifests.inFlight();
  const holder = await deps.lock.holder();
  const d = decide({ ...facts, thresholdMb: opts.thresholdMb, lowWaterFraction: opts.lowWaterFraction, inFlight: inFlight.length > 0, moverActive: holder !== undefined });
  const reading: CheckReading = {
    ...d,
    at: now().toISOString(),
    fact_count: facts.factCount,
    in_flight: inFlight.map((b) => b._id),
    collections: size.collections,
    invoked: null,
    error: null,
  };
  if (d.decision === 'move' || d.decision === 'resume') {
    const fn = opts.moveFunction ?? 'archive-move';
    try {
      const res = await deps.invoker.invokeAsync(fn, { orders: d.orders_to_move, until_below_mb: d.low_water_mb });
      reading.invoked = { function: fn, status: res.status, ...(res.callId ? { call_id: res.callId } : {}) };
    } catch (err) {
      reading.error = err instanceof Error ? err.message : String(err);
      await deps.status.save(reading);
      throw err;
    }
  }
  deps.log.info('archive-check', { decision: d.decision, size_mb: d.size_mb, threshold_mb: d.threshold_mb, orders_to_move: d.orders_to_move });
  await deps.status.save(reading);
  return reading;
}
