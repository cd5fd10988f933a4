/**
 * The rebuild job's sources: every accepted order, MongoDB orders_fact first, then the archive of
 * ARCHIVE_URL (local directory or WebHDFS) read without the catalog (a superset). See rebuild.ts
 * for why this order. Only the rebuild job (kpi-rebuild, npm run kpi:rebuild) imports this, so
 * the live KPI functions do not depend on the archive code.
 */
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/log.ts';
import { connectMongo } from '../../adapters/mongo.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import type { OrderSource } from '../rebuild.ts';
import type { SourceSet } from '../rebuild-job.ts';
import { archiveOrderSource } from './archive-source.ts';
import { hotOrderSource } from './mongo-source.ts';

/** The caller closes the set. */
export async function openRebuildSources(config: Config, log: Logger): Promise<SourceSet> {
  const mongo = await connectMongo(config);
  let archive: OrderSource;
  try {
    archive = archiveOrderSource(createStorage(config).storage);
  } catch (err) {
    await mongo.close();
    throw err;
  }
  const sources = [hotOrderSource(mongo.db), archive];
  log.info('kpi rebuild sources', { sources: sources.map((s) => s.name) });
  return {
    sources,
    async close() {
      await mongo.close().catch(() => undefined);
    },
  };
}
