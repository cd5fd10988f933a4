/**
 * The real KPI pipeline for integration tests: ingest, aggregate, cache-write and kpi-rebuild
 * (which aggregate asks when the counters' epoch marker is missing) from stack.yml as function processes behind the local gateway and Kafka connector (dev/local/pipeline.ts),
 * plus the dashboard in-process, all on the test's own topics, consumer groups, MongoDB
 * database and Redis key prefix. `close()` removes everything it created.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createKafka, ensureTopics } from '../shared/adapters/kafka.ts';
import { connectMongo } from '../shared/adapters/mongo.ts';
import { createLogger } from '../shared/platform/log.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { createKafkaBatchSender, type KafkaBatchSender } from '../dev/generator/kafka-sender.ts';
import type { GeneratedMessage } from '../dev/generator/stream.ts';
import { startPipeline, type Pipeline } from '../dev/local/pipeline.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import { createMessageStream } from '../dev/generator/stream.ts';
import { firstWins } from './kpi-expected.ts';

export const FUNCTIONS = ['ingest', 'aggregate', 'cache-write', 'kpi-rebuild'] as const;

export interface KpiPipeline {
  sfx: string;
  env: Record<string, string>;
  config: Config;
  pipeline: Pipeline;
  dashboard: Dashboard;
  groupPrefix: string;
  /** Produce to `orders` (default) or another topic of the test, keyed and partitioned like the generator. */
  send(messages: GeneratedMessage[], topic?: string): Promise<void>;
  /** GET a dashboard path and parse the JSON. */
  get<T = unknown>(p: string): Promise<T>;
  /** Stop the functions and connectors (the dashboard keeps serving); `restart` starts them again. */
  stopPipeline(): Promise<void>;
  restartPipeline(): Promise<void>;
  close(): Promise<void>;
}

export async function startKpiPipeline(
  name: string,
  opts: {
    quiet?: boolean;
    functions?: string[];
    /** Processes per function (startPipeline's replicas). */
    replicas?: Record<string, number>;
    /** Create the orders and accepted topics with this many partitions (default: the set-up step's 4). */
    partitions?: number;
  } = {},
): Promise<KpiPipeline> {
  const sfx = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    TOPIC_ORDERS: `kpi-${name}-orders-${sfx}`,
    TOPIC_DLQ: `kpi-${name}-dlq-${sfx}`,
    TOPIC_ACCEPTED: `kpi-${name}-accepted-${sfx}`,
    TOPIC_DELTAS: `kpi-${name}-deltas-${sfx}`,
    MONGO_DB: `kpi_${name}_${sfx}`.replace(/-/g, '_'),
    KPI_PREFIX: `test:kpi:${name}:${sfx}:`,
    ARCHIVE_URL: `file://${path.join(loadConfig().localDir, 'tmp', `kpi-${name}-archive-${sfx}`)}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  const groupPrefix = `kpi-${name}-${sfx}-`;
  const log = createLogger({ test: name }, opts.quiet ? () => undefined : undefined);
  const start = (): Promise<Pipeline> =>
    startPipeline({
      env,
      only: opts.functions ?? [...FUNCTIONS],
      ...(opts.replicas ? { replicas: opts.replicas } : {}),
      gatewayPort: 0,
      kafka: { groupPrefix },
      cron: false,
      dashboard: false,
      log,
      restartBackoff: { initialMs: 100, maxMs: 1000 },
    });
  const kafka = createKafka(config, `kpi-${name}-test`);
  if (opts.partitions !== undefined) {
    // Before the set-up step, which leaves existing topics as they are.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [config.topics.orders, config.topics.accepted].map((topic) => ({ topic, partitions: opts.partitions! })));
    } finally {
      await admin.disconnect();
    }
  }
  let pipeline = await start();
  const dashboard = await startDashboard({ config, port: 0, log });
  const senders = new Map<string, KafkaBatchSender>();
  let stopped = false;

  return {
    sfx,
    env,
    config,
    get pipeline() {
      return pipeline;
    },
    dashboard,
    groupPrefix,
    async send(messages, topic = config.topics.orders) {
      let sender = senders.get(topic);
      if (!sender) senders.set(topic, (sender = await createKafkaBatchSender(kafka, topic)));
      for (let i = 0; i < messages.length; i += 500) await sender.send(messages.slice(i, i + 500));
    },
    async get<T>(p: string): Promise<T> {
      const r = await fetch(dashboard.url + p);
      if (!r.ok) throw new Error(`GET ${p}: HTTP ${r.status}`);
      return (await r.json()) as T;
    },
    async stopPipeline() {
      await pipeline.stop();
      stopped = true;
    },
    async restartPipeline() {
      pipeline = await start();
      stopped = false;
    },
    async close() {
      for (const s of senders.values()) await s.close().catch(() => undefined);
      if (!stopped) await pipeline.stop().catch(() => undefined);
      await dashboard.close().catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups(FUNCTIONS.map((f) => groupPrefix + f)).catch(() => undefined);
      await admin.deleteTopics({ topics: Object.values(config.topics) }).catch(() => undefined);
      await admin.disconnect();
      const mongo = await connectMongo(config);
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
      const store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'kpi-test-cleanup');
      await store.deleteAll();
      await store.close();
    },
  };
}

/** The stream with ~3 % of order keys arriving late: those keys' messages move to the end, in their order. */
export function seededStream(n: number, seed: number): { messages: GeneratedMessage[]; late: number } {
  const stream = createMessageStream({ seed, start: Date.UTC(2026, 10, 24, 8, 0), eventRate: 1, dupRate: 0.04, badRate: 0.04 });
  const raw = Array.from({ length: n }, () => stream.next());
  let s = seed >>> 0;
  const lateKeys = new Set<string>();
  for (const m of raw) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (m.kind === 'order' && s / 4294967296 < 0.03) lateKeys.add(m.key);
  }
  return { messages: [...raw.filter((m) => !lateKeys.has(m.key)), ...raw.filter((m) => lateKeys.has(m.key))], late: lateKeys.size };
}

export function acceptedOf(messages: readonly GeneratedMessage[]): OrderEvent[] {
  return firstWins(messages.filter((m) => m.kind === 'order').map((m) => JSON.parse(String(m.value)) as OrderEvent));
}


