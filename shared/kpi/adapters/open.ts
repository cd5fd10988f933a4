/**
 * Process-level wiring of the live KPI writer (aggregate): the Redis store and the reconcile
 * detector, which asks the kpi-rebuild function through the gateway when the counters need a
 * rebuild. No archive code here: the rebuild job's sources are in rebuild-sources.ts.
 */
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/log.ts';
import { HttpInvoker } from '../../adapters/gateway.ts';
import { createReconciler, KPI_REBUILD_FUNCTION, type Reconciler } from '../reconcile.ts';
import { RedisKpiStore, type KpiStoreOptions } from './redis-store.ts';

export interface KpiRuntime {
  store: RedisKpiStore;
  reconciler: Reconciler;
  close(): Promise<void>;
}

/** What every writer of the counters (aggregate, kpi-rebuild, npm run kpi:rebuild) must share. */
export function kpiWriterOptions(config: Pick<Config, 'kpiDedupeHorizonHours'>): KpiStoreOptions {
  return { dedupeHorizonMs: Math.round(config.kpiDedupeHorizonHours * 3_600_000) };
}

/** The store and the reconcile detector of a KPI writer process. */
export function openKpiRuntime(config: Config, log: Logger, who: string): KpiRuntime {
  const store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, `orderpulse-${who}`, log, kpiWriterOptions(config));
  const gateway = new HttpInvoker(config.gatewayUrl);
  const reconciler = createReconciler({ store, request: (r) => gateway.invokeAsync(KPI_REBUILD_FUNCTION, r), log, who });
  return {
    store,
    reconciler,
    async close() {
      await reconciler.idle().catch(() => undefined);
      await store.close();
    },
  };
}
