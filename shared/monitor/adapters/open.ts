/**
 * The monitor function's clients: a Kafka admin, MongoDB (the hot store's collStats, as
 * archive-check measures it) and the archive storage from ARCHIVE_URL. Each opens lazily on first
 * use and is retried on the next reading when it failed, so one service being down never hides
 * the others' readings.
 */
import type { Admin } from 'kafkajs';
import type { Config } from '../../platform/config.ts';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { createKafka } from '../../adapters/kafka.ts';
import { connectMongo, type MongoHandle } from '../../adapters/mongo.ts';
import { MongoHotStore } from '../../archive/adapters/mongo-hot-store.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import { sizeFacts } from '../../archive/check.ts';
import { AdminKafkaOffsets } from './kafka-offsets.ts';
import type { MonitorDeps } from '../monitor.ts';

export interface MonitorRuntime {
  deps: MonitorDeps;
  close(): Promise<void>;
}

export function openMonitorRuntime(config: Config, log: Logger): MonitorRuntime {
  const kafka = createKafka(config, 'orderpulse-monitor', log.child({ component: 'kafkajs' }));
  let admin: Promise<Admin> | undefined;
  let mongo: Promise<MongoHandle> | undefined;
  const getAdmin = (): Promise<Admin> =>
    (admin ??= (async () => {
      const a = kafka.admin();
      try {
        await a.connect();
      } catch (cause) {
        throw new DependencyError('kafka', `cannot connect to ${config.kafkaBrokers.join(',')}; is the broker up? (npm run stack -- status)`, { cause });
      }
      return a;
    })().catch((e: unknown) => {
      admin = undefined;
      throw e;
    }));
  const getMongo = (): Promise<MongoHandle> =>
    (mongo ??= connectMongo(config).catch((e: unknown) => {
      mongo = undefined;
      throw e;
    }));
  const { storage } = createStorage(config);
  return {
    deps: {
      kafka: {
        groups: async (prefix) => new AdminKafkaOffsets(await getAdmin()).groups(prefix),
        committed: async (group) => new AdminKafkaOffsets(await getAdmin()).committed(group),
        topicEnds: async (topic) => new AdminKafkaOffsets(await getAdmin()).topicEnds(topic),
      },
      hot: {
        async read() {
          const size = sizeFacts(await new MongoHotStore((await getMongo()).db).readSize());
          return { orders: size.factCount, bytes: size.totalBytes };
        },
      },
      archive: storage,
    },
    async close() {
      await Promise.allSettled([admin?.then((a) => a.disconnect()), mongo?.then((m) => m.close())]);
    },
  };
}
