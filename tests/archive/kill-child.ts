/**
 * Child process for the SIGKILL tests: runs archive-move's core against the configured backends
 * (ARCHIVE_URL, HIVE_METASTORE_URI, MONGO_DB from the environment) and, when the batch reaches
 * PAUSE_AT (a manifest step, or `delete-chunk` after the first delete chunk), prints
 * `PAUSED <step>` and waits to be killed.
 *   ORDERS, DELETE_CHUNK, LOCK_TTL_MS, ARCHIVE_TEST_DATABASE (catalog database)
 */
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { runMove } from '../../shared/archive/move.ts';
import { openArchiveRuntime } from '../../shared/archive/adapters/open.ts';

const pauseAt = process.env.PAUSE_AT ?? 'written';
const config = loadConfig();
const rt = await openArchiveRuntime(config, { log: createLogger({ child: 'archive-kill' }, () => undefined) });
const park = async (what: string): Promise<never> => {
  process.stdout.write(`PAUSED ${what}\n`);
  return new Promise<never>(() => undefined); // until SIGKILL
};
await runMove(rt.moveDeps(), {
  orders: Number(process.env.ORDERS ?? 100),
  deleteChunk: Number(process.env.DELETE_CHUNK ?? 1000),
  lockTtlMs: Number(process.env.LOCK_TTL_MS ?? 3000),
  target: { database: process.env.ARCHIVE_TEST_DATABASE ?? 'orderpulse', table: 'orders_fact' },
  hooks: {
    afterStep: async (b) => {
      if (b.step === pauseAt) await park(b.step);
    },
    afterDeleteChunk: async () => {
      if (pauseAt === 'delete-chunk') await park('delete-chunk');
    },
  },
});
process.stdout.write('FINISHED\n');
await rt.close();
