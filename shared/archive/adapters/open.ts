/**
 * Wiring of the archive functions: one MongoDB client, the storage and catalog adapters picked by
 * the factory, and the cores' dependencies. Created once per process by the handlers (and by the
 * benchmark and tests with their own database and archive root); `close()` releases everything.
 */
import type { Config } from '../../platform/config.ts';
import { createLogger, type Logger } from '../../platform/log.ts';
import { connectMongo, type MongoHandle } from '../../adapters/mongo.ts';
import type { CheckDeps, CheckOptions } from '../check.ts';
import { openArchiveBackends, type ArchiveBackends } from './factory.ts';
import { HttpInvoker, type Invoker } from '../../adapters/gateway.ts';
import { MongoHotStore } from './mongo-hot-store.ts';
import { MongoManifestStore, MongoMoveLock, MongoStatusStore } from './mongo-manifest.ts';
import type { MoveDeps } from '../move.ts';

export interface ArchiveRuntime {
  config: Config;
  log: Logger;
  mongo: MongoHandle;
  backends: ArchiveBackends;
  hot: MongoHotStore;
  manifests: MongoManifestStore;
  lock: MongoMoveLock;
  status: MongoStatusStore;
  moveDeps(): MoveDeps;
  checkDeps(invoker?: Invoker): CheckDeps;
  checkOptions(): CheckOptions;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** MongoDB database (default config.mongoDb; tests use their own). */
  dbName?: string;
  log?: Logger;
  /** Adapters to use instead of the configured ones (tests and the benchmark). */
  backends?: ArchiveBackends;
}

export async function openArchiveRuntime(config: Config, opts: RuntimeOptions = {}): Promise<ArchiveRuntime> {
  const log = opts.log ?? createLogger({ component: 'archive' });
  const backends = opts.backends ?? openArchiveBackends(config);
  let mongo: MongoHandle;
  try {
    mongo = await connectMongo(config, opts.dbName ?? config.mongoDb);
  } catch (err) {
    await backends.catalog.close().catch(() => undefined);
    throw err;
  }
  const hot = new MongoHotStore(mongo.db);
  const manifests = new MongoManifestStore(mongo.db);
  const lock = new MongoMoveLock(mongo.db);
  const status = new MongoStatusStore(mongo.db);
  let closed = false;
  return {
    config,
    log,
    mongo,
    backends,
    hot,
    manifests,
    lock,
    status,
    moveDeps: () => ({ hot, manifests, lock, storage: backends.storage, catalog: backends.catalog, log }),
    checkDeps: (invoker) => ({ hot, manifests, lock, status, invoker: invoker ?? new HttpInvoker(config.gatewayUrl), log }),
    checkOptions: () => ({ thresholdMb: config.archiveThresholdMb, lowWaterFraction: config.archiveLowWaterFraction }),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([backends.catalog.close(), mongo.close()]);
    },
  };
}
