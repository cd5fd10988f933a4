/**
 * Materialise the served views from one consistent snapshot of the counters. Idempotent and
 * monotonic: the store writes only when the snapshot's version is newer than what is served,
 * so concurrent or late materialisations never move the dashboard backwards.
 */
import type { CounterStore, ViewStore } from './store.ts';
import { buildViews } from './views.ts';

export interface MaterializeResult {
  version: number;
  written: boolean;
  orders: number;
  /** Newest order_timestamp (epoch ms) in the snapshot the views were built from; null when none. */
  newestEventMs?: number | null;
}

export async function materialize(store: CounterStore & ViewStore, now: () => Date = () => new Date()): Promise<MaterializeResult> {
  const snap = await store.snapshot();
  const written = await store.writeViews(snap.version, buildViews(snap, now().toISOString()));
  return { version: snap.version, written, orders: snap.orders, newestEventMs: snap.max_ts };
}
