/**
 * The KPI rebuild as a job of its own: the kpi-rebuild function (asked by aggregate when the
 * epoch marker is missing or stale) and `npm run kpi:rebuild` (in-process) both run this.
 * Opens the sources (hot store, then archive), runs rebuild.ts under the Redis lease (one
 * rebuild at a time across processes: a second one answers `busy`), closes the sources and
 * materialises the views. Unless forced, a job whose counters are already reconciled (epoch
 * marker == Redis run_id) answers `current` without reading anything, so repeated or queued
 * requests cost one Redis round trip each.
 */
import type { Logger } from '../platform/log.ts';
import type { MaterializeResult } from './materialize.ts';
import { rebuild, type OrderSource, type RebuildResult } from './rebuild.ts';
import type { CounterStore, ReconcileStore } from './store.ts';

export interface SourceSet {
  sources: OrderSource[];
  close(): Promise<void>;
}

export interface RebuildJobDeps {
  store: CounterStore & ReconcileStore;
  /** Opens the sources (hot store first, then archive); the job closes them. */
  openSources: () => Promise<SourceSet>;
  /** Materialise the served views (after a finished rebuild). */
  materialize: () => Promise<MaterializeResult>;
  log: Logger;
  /** Who runs it (status and lease), e.g. "kpi-rebuild" or "kpi:rebuild". */
  who: string;
  token: () => string;
  /** Abort between batches (shutdown): the lease is released, a later rebuild starts over. */
  signal?: AbortSignal;
  /** About every second and at the end (e.g. materialise the views, print progress). */
  progress?: (p: { source: string; scanned: number; applied: number }) => Promise<unknown> | void;
  sleep?: (ms: number) => Promise<void>;
}

export interface RebuildJobOptions {
  /** Rebuild even when the counters are reconciled (npm run kpi:rebuild). Default false. */
  force?: boolean;
  /** While another rebuild holds the lease, try again for up to this long (default 0: answer busy). */
  waitMs?: number;
}

export type RebuildJobResult = { status: 'current'; epoch: string } | Exclude<RebuildResult, { status: 'done' }> | (Extract<RebuildResult, { status: 'done' }> & { views: MaterializeResult });

export async function runRebuildJob(deps: RebuildJobDeps, opts: RebuildJobOptions = {}): Promise<RebuildJobResult> {
  const { store, log } = deps;
  if (!opts.force) {
    const [epoch, id] = await Promise.all([store.getEpoch(), store.serverId()]);
    if (epoch === id) {
      log.info('kpi rebuild: counters already reconciled with this Redis instance, nothing to do', { epoch });
      return { status: 'current', epoch };
    }
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const set = await deps.openSources();
  let r: RebuildResult;
  try {
    for (;;) {
      r = await rebuild({ store, sources: set.sources, log, who: deps.who, token: deps.token(), signal: deps.signal, progress: deps.progress });
      if (r.status !== 'busy' || Date.now() >= deadline || deps.signal?.aborted) break;
      await sleep(1000);
    }
  } finally {
    await set.close().catch(() => undefined);
  }
  if (r.status !== 'done') return r;
  return { ...r, views: await deps.materialize() };
}
