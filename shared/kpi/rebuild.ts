/**
 * Rebuild (reconcile) the KPI counters from every accepted order: the hot store's orders_fact,
 * then the archive. It goes through the SAME exactly-once apply as live events, so it never
 * double counts, may run while events keep flowing, and may be re-run at any time.
 *
 * Why hot first, then archive: archive-move writes and verifies an order in the archive BEFORE
 * deleting it from MongoDB. An order deleted from the hot store before our hot scan reached it
 * is therefore already in the archive when we read the archive afterwards. (Archive first could
 * miss an order moved between the two reads.) Orders accepted after the hot scan passed them are
 * applied by aggregate from `orders.accepted` (ingest produces them after inserting the fact).
 *
 * One rebuild at a time holds a lease in Redis. The epoch marker (the Redis run_id) is set at
 * the end only while the lease is still held: a FLUSHALL or Redis restart during the rebuild
 * drops the lease (or changes the run_id) and the pass starts over.
 */
import { DependencyError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';
import { contributionOf } from './contribution.ts';
import { orderFromFact } from './order.ts';
import type { CounterStore, ReconcileStore } from './store.ts';
import type { Contribution } from './types.ts';

/** A source of accepted orders in the flat fact shape (orders_fact documents, archived rows). */
export interface OrderSource {
  readonly name: string;
  batches(batchSize: number): AsyncIterable<unknown[]>;
}

export interface RebuildDeps {
  store: CounterStore & ReconcileStore;
  /** In this order: hot store first, then the archive. */
  sources: readonly OrderSource[];
  log: Logger;
  /** Who runs it (for the status and lease), e.g. "kpi:rebuild" or "aggregate". */
  who: string;
  token: string;
  leaseMs?: number;
  batchSize?: number;
  maxPasses?: number;
  /** Abort between batches (process shutdown); the lease is released, a later rebuild starts over. */
  signal?: AbortSignal;
  /** Called about every second during the rebuild and once at the end (e.g. materialise). */
  progress?: (p: { source: string; scanned: number; applied: number }) => Promise<unknown> | void;
}

export interface SourceCount {
  scanned: number;
  applied: number;
  invalid: number;
}

export type RebuildResult =
  | { status: 'done'; epoch: string; passes: number; scanned: number; applied: number; invalid: number; sources: Record<string, SourceCount>; ms: number }
  | { status: 'busy' }
  | { status: 'aborted' };

class LeaseLost extends Error {}

export async function rebuild(deps: RebuildDeps): Promise<RebuildResult> {
  const { store, log, token } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const batchSize = deps.batchSize ?? 1000;
  const maxPasses = deps.maxPasses ?? 3;
  const t0 = Date.now();
  if (!(await store.acquireLease(token, leaseMs))) return { status: 'busy' };
  const startedAt = new Date().toISOString();
  let scanned = 0;
  let applied = 0;
  let invalid = 0;
  const sources: Record<string, SourceCount> = {};
  try {
    for (let pass = 1; pass <= maxPasses; pass++) {
      const epoch = await store.serverId();
      // Marks dropped by the dedupe horizon cannot tell which orders the counters hold: start from zero.
      if (await store.resetIfMarksDropped?.()) log.warn('kpi rebuild: exactly-once marks older than the dedupe horizon were dropped, so the counters restart from zero (the views catch up as the rebuild runs)', { pass });
      let lastRenew = Date.now();
      let lastProgress = Date.now();
      await store.setRebuildStatus({ state: 'running', by: deps.who, started_at: startedAt, scanned, applied });
      try {
        for (const src of deps.sources) {
          const count: SourceCount = (sources[src.name] ??= { scanned: 0, applied: 0, invalid: 0 });
          log.info('kpi rebuild: reading source', { source: src.name, pass });
          for await (const batch of src.batches(batchSize)) {
            deps.signal?.throwIfAborted();
            const list: Contribution[] = [];
            for (const doc of batch) {
              const r = orderFromFact(doc);
              if (r.ok) list.push(contributionOf(r.value));
              else {
                count.invalid++;
                invalid++;
                log.error('kpi rebuild: record is not a valid order, skipped', { source: src.name, error: r.error, order_id: (doc as { order_id?: unknown })?.order_id });
              }
            }
            const res = await store.apply(list);
            count.scanned += batch.length;
            count.applied += res.applied;
            scanned += batch.length;
            applied += res.applied;
            const now = Date.now();
            if (now - lastRenew > leaseMs / 3) {
              if (!(await store.renewLease(token, leaseMs))) throw new LeaseLost('rebuild lease lost (Redis flushed or restarted?)');
              lastRenew = now;
            }
            if (now - lastProgress > 1_000) {
              lastProgress = now;
              log.info('kpi rebuild: progress', { source: src.name, scanned, applied });
              await store.setRebuildStatus({ state: 'running', by: deps.who, started_at: startedAt, scanned, applied });
              await deps.progress?.({ source: src.name, scanned, applied });
            }
          }
        }
      } catch (e) {
        if (!(e instanceof LeaseLost)) throw e;
        log.warn('kpi rebuild: lease lost, starting over', { pass });
        if (!(await store.acquireLease(token, leaseMs))) return { status: 'busy' };
        continue;
      }
      if ((await store.serverId()) !== epoch) {
        log.warn('kpi rebuild: Redis restarted during the rebuild, starting over', { pass });
        continue;
      }
      if (!(await store.setEpochIfLeased(epoch, token))) {
        log.warn('kpi rebuild: lease lost before the epoch was set, starting over', { pass });
        if (!(await store.acquireLease(token, leaseMs))) return { status: 'busy' };
        continue;
      }
      const ms = Date.now() - t0;
      await store.setRebuildStatus({ state: 'done', by: deps.who, started_at: startedAt, finished_at: new Date().toISOString(), scanned, applied });
      await deps.progress?.({ source: 'done', scanned, applied });
      log.info('kpi rebuild: done', { passes: pass, scanned, applied, invalid, ms });
      return { status: 'done', epoch, passes: pass, scanned, applied, invalid, sources, ms };
    }
    throw new DependencyError('redis', `KPI rebuild did not settle in ${maxPasses} passes (Redis keeps restarting or being flushed); run npm run kpi:rebuild again`);
  } catch (e) {
    if (deps.signal?.aborted) {
      log.info('kpi rebuild: aborted (shutdown); the next rebuild starts over', { scanned, applied });
      await store.setRebuildStatus({ state: 'failed', by: deps.who, started_at: startedAt, finished_at: new Date().toISOString(), scanned, applied, error: 'aborted' }).catch(() => undefined);
      return { status: 'aborted' };
    }
    await store
      .setRebuildStatus({ state: 'failed', by: deps.who, started_at: startedAt, finished_at: new Date().toISOString(), scanned, applied, error: e instanceof Error ? e.message : String(e) })
      .catch(() => undefined);
    throw e;
  } finally {
    await store.releaseLease(token).catch(() => undefined);
  }
}
