/**
 * alert-deliver for integration tests (issue 11): the function from stack.yml behind the local
 * gateway and Kafka connector, on the test's own `alerts` topic, consumer group and Redis prefix,
 * plus a producer writing AlertChanges the way the detector does (key = alert id) and the store
 * to read what was delivered. `close()` removes everything it created.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createKafka, createSink, ensureTopics, type KafkaSink } from '../shared/adapters/kafka.ts';
import { createLogger } from '../shared/platform/log.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { RedisAlertStore } from '../shared/alerts/adapters/store-redis.ts';
import { encodeAlertChange, type AlertChange } from '../shared/alerts/alert.ts';
import { startPipeline, type Pipeline } from '../dev/local/pipeline.ts';

export interface AlertsPipeline {
  config: Config;
  pipeline: Pipeline;
  store: RedisAlertStore;
  /** Produce changes (key = alert id) and raw values (e.g. garbage) to the test's alerts topic, in order. */
  send(changes: (AlertChange | string)[]): Promise<void>;
  close(): Promise<void>;
}

export async function startAlertsPipeline(name: string, extraEnv: Record<string, string> = {}): Promise<AlertsPipeline> {
  const sfx = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    TOPIC_ALERTS: `alerts-${name}-${sfx}`,
    KPI_PREFIX: `test:alerts:${name}:${sfx}:`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...extraEnv,
  };
  const config = loadConfig({ ...process.env, ...env });
  const kafka = createKafka(config, `alerts-${name}-test`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic: config.alertsTopic, partitions: 1 }]);
  await admin.disconnect();
  const groupPrefix = `alerts-${name}-${sfx}-`;
  const log = createLogger({ test: name }, () => undefined);
  // No set-up step: it would create the standard topics and a MongoDB schema this test does not use.
  const pipeline = await startPipeline({ env, only: ['alert-deliver'], gatewayPort: 0, kafka: { groupPrefix }, cron: false, dashboard: false, setup: false, log, restartBackoff: { initialMs: 100, maxMs: 1000 } });
  const store = RedisAlertStore.open(config.redisUrl, config.kpiPrefix, `alerts-${name}-test`);
  let sink: KafkaSink | undefined;
  return {
    config,
    pipeline,
    store,
    async send(changes) {
      sink ??= await createSink(kafka);
      await sink.send(
        config.alertsTopic,
        changes.map((c) => (typeof c === 'string' ? { key: 'garbage', value: c } : { key: c.alert.id, value: encodeAlertChange(c) })),
      );
    },
    async close() {
      await sink?.close().catch(() => undefined);
      await pipeline.stop().catch(() => undefined);
      await store.close();
      const a = kafka.admin();
      await a.connect();
      await a.deleteGroups([groupPrefix + 'alert-deliver']).catch(() => undefined);
      await a.deleteTopics({ topics: [config.alertsTopic] }).catch(() => undefined);
      await a.disconnect();
      const kpi = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'alerts-test-cleanup');
      await kpi.deleteAll();
      await kpi.close();
    },
  };
}
