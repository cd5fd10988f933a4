/**
 * Automatic reconcile for long-running KPI writers (aggregate): every apply returns the epoch
 * marker; when it is missing (FLUSHALL, Redis restarted without its data, first start) or names
 * another Redis run_id (Redis restarted: with appendfsync everysec the last second of writes may
 * be gone), a rebuild starts in the background of this process. Live applies continue meanwhile
 * (both paths are exactly-once by order_id). One rebuild at a time across processes (lease).
 */
import type { Logger } from '../platform/log.ts';
import { rebuild, type OrderSource, type RebuildResult } from './rebuild.ts';
import type { CounterStore, ReconcileStore } from './store.ts';

export interface SourceSet {
  sources: OrderSource[];
  close(): Promise<void>;
}

export interface ReconcilerDeps {
  store: CounterStore & ReconcileStore;
  /** Opens the sources when a rebuild is needed (hot store first, then archive). */
  openSources: () => Promise<SourceSet>;
  log: Logger;
  who: string;
  token: () => string;
  /** After a finished rebuild and on progress (e.g. materialise the views). */
  progress?: () => Promise<unknown>;
  /** Wait this long after a failed or busy attempt before trying again. */
  cooldownMs?: number;
}

export interface Reconciler {
  /** Check the epoch an apply returned; start a background rebuild when needed. True when one is running. */
  check(epoch: string | null): Promise<boolean>;
  /** Resolves when no rebuild of this process is running. */
  idle(): Promise<RebuildResult | undefined>;
  /** Abort a running rebuild (shutdown) and wait for it to stop; no new one starts. */
  stop(): Promise<void>;
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  let task: Promise<RebuildResult | undefined> | undefined;
  let notBefore = 0;
  let stopped = false;
  let checking = false;
  const abort = new AbortController();
  const cooldown = deps.cooldownMs ?? 5_000;

  const run = async (): Promise<RebuildResult | undefined> => {
    let set: SourceSet | undefined;
    try {
      set = await deps.openSources();
      const r = await rebuild({ store: deps.store, sources: set.sources, log: deps.log, who: deps.who, token: deps.token(), progress: deps.progress, signal: abort.signal });
      if (r.status === 'busy') notBefore = Date.now() + cooldown;
      return r;
    } catch (err) {
      notBefore = Date.now() + cooldown;
      deps.log.error('kpi reconcile failed; will retry', { err, retryInMs: cooldown });
      return undefined;
    } finally {
      await set?.close().catch(() => undefined);
    }
  };

  return {
    async check(epoch) {
      if (task) return true;
      if (stopped || checking || Date.now() < notBefore) return false;
      checking = true;
      let id: string;
      try {
        id = await deps.store.serverId();
      } finally {
        checking = false;
      }
      if (epoch === id || task || stopped) return task !== undefined;
      deps.log.warn('kpi counters are not reconciled with this Redis instance: rebuilding in the background', { epoch, redisRunId: id });
      task = run().finally(() => (task = undefined));
      return true;
    },
    async idle() {
      return task ? await task : undefined;
    },
    async stop() {
      stopped = true;
      abort.abort();
      await task;
    },
  };
}
