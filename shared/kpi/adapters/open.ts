/**
 * Process-level wiring of the KPI stage (clients created once per process, closed on SIGTERM):
 * the Redis store, the rebuild sources (hot store + archive) and the reconciler.
 */
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/log.ts';
import { connectMongo } from '../../adapters/mongo.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import { archiveOrderSource } from './archive-source.ts';
import { hotOrderSource } from './mongo-source.ts';
import type { OrderSource } from '../rebuild.ts';
import { createReconciler, type Reconciler, type SourceSet } from '../reconcile.ts';
import { RedisKpiStore, leaseToken } from './redis-store.ts';
import { materialize } from '../materialize.ts';

/**
 * Every accepted order: MongoDB orders_fact first, then the archive (see rebuild.ts for why
 * this order). The caller closes the set.
 */
export async function openRebuildSources(config: Config, log: Logger): Promise<SourceSet> {
  const mongo = await connectMongo(config);
  const sources: OrderSource[] = [hotOrderSource(mongo.db)];
  const closers: (() => Promise<void>)[] = [() => mongo.close()];
  try {
    const archive = await openArchiveSource(config);
    if (archive) {
      sources.push(archive.source);
      closers.push(archive.close);
    }
  } catch (err) {
    await mongo.close();
    throw err;
  }
  log.info('kpi rebuild sources', { sources: sources.map((s) => s.name) });
  return {
    sources,
    async close() {
      for (const c of closers) await c().catch(() => undefined);
    },
  };
}

/** The archive of ARCHIVE_URL (local directory or WebHDFS), read without the catalog (superset). */
async function openArchiveSource(config: Config): Promise<{ source: OrderSource; close: () => Promise<void> } | undefined> {
  const { storage } = createStorage(config);
  return { source: archiveOrderSource(storage), close: async () => undefined };
}

export interface KpiRuntime {
  store: RedisKpiStore;
  reconciler: Reconciler;
  close(): Promise<void>;
}

/** The store and the reconciler of a KPI writer process (aggregate, cache-write, kpi:rebuild). */
export function openKpiRuntime(config: Config, log: Logger, who: string): KpiRuntime {
  const store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, `orderpulse-${who}`, log);
  const reconciler = createReconciler({
    store,
    openSources: () => openRebuildSources(config, log),
    log,
    who,
    token: () => leaseToken(who),
    progress: () => materialize(store),
  });
  return {
    store,
    reconciler,
    async close() {
      await reconciler.stop().catch(() => undefined);
      await store.close();
    },
  };
}
