/**
 * `npm run setup`: the idempotent set-up step (shared/setup): MongoDB collections and indexes and
 * every Kafka topic of the pipeline with its partition count. Run it once before
 * `faas-cli deploy -f stack.yml` (and again after changing topic names or MONGO_DB); the local
 * pipeline (`npm run pipeline`) runs it by itself at start-up. Safe to run any number of times.
 * Environment: MONGO_URL, MONGO_DB, KAFKA_BROKERS, TOPIC_* (see README).
 */
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { setUp } from '../shared/setup/adapters/open.ts';

const USAGE = `Usage: npm run setup [-- --backfill-archive]

  --backfill-archive   once, for an archive written before the order-id registry: mark every
                       archived order in order_ids_archived and register it (docs/ingest.md
                       "Order-id registry", Migration); reads ARCHIVE_URL
  -h, --help           this text`;
const cli = commandLine({ usage: USAGE, options: { 'backfill-archive': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
const args = cli.parseOrExit(process.argv.slice(2)).values;

const log = createLogger({ cmd: 'setup' });
try {
  const config = loadConfig();
  const r = await setUp(config, log, { backfillArchive: args['backfill-archive'] === true });
  if (r.archiveBackfill) process.stdout.write(`archive backfill: ${r.archiveBackfill.ran ? `${r.archiveBackfill.rows} archived rows read, ${r.archiveBackfill.marked} marked, ${r.archiveBackfill.registered} registered` : 'done before (marker set), nothing read'}\n`);
  process.stdout.write(`set-up done in ${r.ms} ms: MongoDB ${config.mongoDb} schema; topics ${r.topics.map((t) => `${t.topic} (${t.partitions})`).join(', ')}\n`);
} catch (err) {
  log.error('set-up failed; are MongoDB and Kafka up? (npm run stack -- status)', { err });
  process.exitCode = 1;
}
