/** The set-up steps against the configured MongoDB and Kafka (shared/adapters), and `setUp()` running them. */
import type { Config } from '../../platform/config.ts';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { createKafka, ensureTopics } from '../../adapters/kafka.ts';
import { connectMongo, ensureSchema } from '../../adapters/mongo.ts';
import { backfillArchiveMarks } from '../../archive/adapters/backfill-marks.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import { runSetup, type SetupOptions, type SetupResult, type SetupSteps } from '../setup.ts';

export function liveSetupSteps(config: Config, log: Logger): SetupSteps {
  return {
    async schema() {
      const mongo = await connectMongo(config);
      try {
        await ensureSchema(mongo.db);
      } finally {
        await mongo.close().catch(() => undefined);
      }
    },
    async archiveBackfill() {
      const mongo = await connectMongo(config);
      try {
        return await backfillArchiveMarks(mongo.db, createStorage(config).storage);
      } finally {
        await mongo.close().catch(() => undefined);
      }
    },
    async topics(list) {
      const admin = createKafka(config, 'orderpulse-setup', log.child({ component: 'kafkajs' })).admin();
      try {
        await admin.connect();
        await ensureTopics(admin, list, { replicationFactor: config.kafkaReplicationFactor, minInsyncReplicas: config.kafkaMinInsyncReplicas });
      } catch (cause) {
        if (cause instanceof DependencyError) throw cause;
        throw new DependencyError('kafka', `cannot create topics at ${config.kafkaBrokers.join(',')}; is the broker up? (npm run stack -- status)`, { cause });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/** Run the set-up step against the configured services (npm run setup, the local pipeline). */
export function setUp(config: Config, log: Logger, opts: SetupOptions = {}): Promise<SetupResult> {
  return runSetup(liveSetupSteps(config, log), config, log, opts);
}
