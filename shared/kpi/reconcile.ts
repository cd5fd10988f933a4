/**
 * Reconcile detection for the live KPI writer (aggregate): every apply returns the epoch marker;
 * when it is missing (FLUSHALL, Redis restarted without its data, first start) or names another
 * Redis run_id (Redis restarted: with appendfsync everysec the last second of writes may be
 * gone), the counters need a rebuild. aggregate does not rebuild: it ASKS for the rebuild job
 * (the kpi-rebuild function, asynchronously through the gateway; rebuild-job.ts) and goes on
 * applying live events (both paths are exactly-once by order_id). While the counters stay
 * unreconciled it asks again every `repeatMs` (the job answers at once when another run holds
 * the lease or the counters are already reconciled), and after a failed ask every `retryMs`.
 */
import { OrderPulseError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';
import type { ReconcileStore } from './store.ts';

/** The function (stack.yml) that runs the rebuild job. */
export const KPI_REBUILD_FUNCTION = 'kpi-rebuild';

/** What the detector sends with its request (the body of POST /async-function/kpi-rebuild). */
export interface RebuildRequest {
  reason: 'epoch_missing' | 'epoch_stale';
  epoch: string | null;
  redis_run_id: string;
  by: string;
}

export interface ReconcilerDeps {
  store: Pick<ReconcileStore, 'serverId'>;
  /** Ask for a rebuild (do not wait for it). */
  request: (r: RebuildRequest) => Promise<unknown>;
  log: Logger;
  /** Who asks (logged by the job). */
  who: string;
  /** While still unreconciled after a request, ask again after this long (default 30 s). */
  repeatMs?: number;
  /** After a failed request, ask again after this long (default 5 s; `repeatMs` when the failure is not retriable). */
  retryMs?: number;
  now?: () => number;
}

export interface Reconciler {
  /**
   * Check the epoch an apply returned; ask for a rebuild when needed (in the background: the
   * caller does not wait for the gateway). True while the counters are not reconciled.
   */
  check(epoch: string | null): Promise<boolean>;
  /** Resolves when no request is on its way (tests, shutdown). */
  idle(): Promise<void>;
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const now = deps.now ?? Date.now;
  const repeatMs = deps.repeatMs ?? 30_000;
  const retryMs = deps.retryMs ?? 5_000;
  let notBefore = 0;
  let asking: Promise<void> | undefined;

  const ask = async (epoch: string | null, id: string): Promise<void> => {
    const req: RebuildRequest = { reason: epoch === null ? 'epoch_missing' : 'epoch_stale', epoch, redis_run_id: id, by: deps.who };
    try {
      await deps.request(req);
      notBefore = now() + repeatMs;
      deps.log.warn('kpi counters are not reconciled with this Redis instance: asked for a rebuild (kpi-rebuild)', { epoch, redisRunId: id });
    } catch (err) {
      const retriable = !(err instanceof OrderPulseError) || err.retriable;
      const wait = retriable ? retryMs : repeatMs;
      notBefore = now() + wait;
      deps.log.error(`kpi counters need a rebuild but asking ${KPI_REBUILD_FUNCTION} failed; is it deployed (stack.yml)? Or run npm run kpi:rebuild`, { err, retryInMs: wait });
    }
  };

  return {
    async check(epoch) {
      if (asking) return true;
      const id = await deps.store.serverId();
      if (epoch === id) {
        notBefore = 0; // reconciled: the next loss is reported at once
        return false;
      }
      if (now() < notBefore || asking) return true;
      asking = ask(epoch, id).finally(() => (asking = undefined));
      return true;
    },
    async idle() {
      await asking;
    },
  };
}
