/**
 * Scale-out benchmark (issue 10, item 7): the real pipeline (gateway + Kafka connector + function
 * processes from stack.yml) with 1, 2 and 4 replicas of ingest and of aggregate, on an `orders`
 * and an `orders.accepted` topic of 8 partitions each.
 *
 * Each replica count runs twice, in mirrored order (1, 2, 4, 4, 2, 1), and ratios compare means:
 * the machine's load drifts during a bench as much as any gain (a 1-replica run repeated at the
 * end of one bench was 1.6× its first run). The same N generated events (all valid and distinct, so N facts and N accepted orders) are
 * produced once; each replica count then reads them from the beginning with its own consumer
 * groups, MongoDB database, accepted/DLQ/deltas topics and KPI prefix. Timed from the moment
 * startPipeline resolves (every replica ready) until aggregate has delivered all N accepted
 * orders (end to end) — and until ingest has delivered all N (ingest alone); the steady rate is
 * taken between 10 % and 90 % of the end-to-end progress. CPU is the utime+stime of every
 * ingest and aggregate replica (/proc). Each line carries the load average: this machine has 2
 * cores shared with other work, which bounds what more processes can add.
 *
 * `npx tsx bench/replicas.ts [--events 20000] [--replicas 1,2,4,4,2,1]` prints one JSON object;
 * `npm run bench -- --only replicas` runs it inside the suite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Admin } from 'kafkajs';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, ROOT, type Config } from '../shared/platform/config.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { connectMongo, COLLECTIONS } from '../shared/adapters/mongo.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createTopic, deleteTopics, produceRaw, suffix } from '../tests/corpus/kafka-io.ts';
import { processCpuMicros } from './ingest.ts';
import { replicasLines } from './summary.ts';

export const REPLICA_PARTITIONS = 8;

export interface ReplicaRun {
  replicas: number;
  /** From pipeline ready to the last accepted order delivered to aggregate. */
  seconds: number;
  events_per_s: number;
  steady_events_per_s: number;
  /** From pipeline ready to the last event delivered to ingest. */
  ingest_seconds: number;
  ingest_events_per_s: number;
  /** Ratios to the mean of the 1-replica runs of the same bench (end to end, steady, ingest alone). */
  ratio_to_1?: number;
  steady_ratio_to_1?: number;
  ingest_ratio_to_1?: number;
  /** utime+stime of all ingest and aggregate replicas, per event. */
  cpu_us_per_event: number;
  /** Cores busy during the run: the ingest + aggregate replicas, and the FerretDB server (all its clients, other work included). */
  cores_used: { functions: number; ferretdb: number | null };
  /** Calls each replica took (gateway), ingest and aggregate. */
  invocations: { ingest: number[]; aggregate: number[] };
  facts: number;
  loadavg: { before: number[]; after: number[] };
}

export interface ReplicasBenchResult {
  events: number;
  partitions: number;
  produce_events_per_s: number;
  runs: ReplicaRun[];
  /** Per replica count: the mean end-to-end rate of its runs and its ratio to the 1-replica mean. */
  by_replicas: { replicas: number; runs: number; events_per_s: number; ratio_to_1?: number }[];
  machine: { cpus: number };
  command: string;
}

const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

/** The FerretDB process listening on the configured port (read-only look at /proc), if any. */
function ferretdbPid(config: Config): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('ferretdb')) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`:${config.mongoPort}`)) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
const load = (): number[] => os.loadavg().map((x) => round(x, 2));

async function oneRun(config: Config, ctx: { id: string; replicas: number; orders: string; total: number; admin: Admin; log: Logger; timeoutMs: number }): Promise<ReplicaRun> {
  const { startPipeline } = await import('../dev/local/pipeline.ts');
  const tag = `${ctx.id}-r${ctx.replicas}`;
  const env: Record<string, string> = {
    TOPIC_ORDERS: ctx.orders,
    TOPIC_ACCEPTED: `bench-rep-${tag}-accepted`,
    TOPIC_DLQ: `bench-rep-${tag}-dlq`,
    TOPIC_DELTAS: `bench-rep-${tag}-deltas`,
    MONGO_DB: `bench_rep_${tag}`.replace(/-/g, '_'),
    KPI_PREFIX: `bench:rep:${tag}:`,
    LOG_LEVEL: process.env.BENCH_FUNCTION_LOG_LEVEL ?? 'warn',
  };
  const groupPrefix = `bench-rep-${tag}-`;
  await createTopic(ctx.admin, env.TOPIC_ACCEPTED!, REPLICA_PARTITIONS);
  const p = await startPipeline({
    stackFile: path.join(ROOT, 'stack.yml'),
    env,
    only: ['ingest', 'aggregate', 'kpi-rebuild'],
    replicas: { ingest: ctx.replicas, aggregate: ctx.replicas },
    gatewayPort: 0,
    kafka: { groupPrefix },
    cron: false,
    dashboard: false,
    log: ctx.log,
  });
  const runConfig = loadConfig({ ...process.env, ...env });
  try {
    const t0 = performance.now();
    const before = load();
    const pids = [...(p.replicaPids().ingest ?? []), ...(p.replicaPids().aggregate ?? [])];
    if (pids.some((x) => x === null)) throw new Error('a replica is not running at the start');
    const cpu0 = pids.map((x) => processCpuMicros(x!));
    const store = ferretdbPid(config);
    const storeCpu0 = store === undefined ? 0 : processCpuMicros(store);
    let tIngest: number | undefined;
    let t10: number | undefined;
    let t90: number | undefined;
    let lastLog = 0;
    await waitFor(
      () => {
        const s = p.kafka?.stats() ?? {};
        const now = performance.now();
        const ingested = s.ingest?.messages ?? 0;
        const aggregated = s.aggregate?.messages ?? 0;
        if (tIngest === undefined && ingested >= ctx.total) tIngest = now;
        if (t10 === undefined && aggregated >= ctx.total * 0.1) t10 = now;
        if (t90 === undefined && aggregated >= ctx.total * 0.9) t90 = now;
        if (now - lastLog > 5000) {
          lastLog = now;
          ctx.log.info('replicas bench progress', { replicas: ctx.replicas, ingested, aggregated, total: ctx.total });
        }
        return aggregated >= ctx.total && tIngest !== undefined;
      },
      { timeoutMs: ctx.timeoutMs, intervalMs: 50, what: `${ctx.total} events through ingest and aggregate with ${ctx.replicas} replicas` },
    );
    const t1 = performance.now();
    const after = load();
    const now = [...(p.replicaPids().ingest ?? []), ...(p.replicaPids().aggregate ?? [])];
    if (now.some((x, i) => x !== pids[i])) throw new Error('a replica restarted during the run; its CPU figure would be wrong');
    const cpu = pids.reduce<number>((a, x, i) => a + processCpuMicros(x!) - cpu0[i]!, 0);
    const storeCpu = store === undefined ? undefined : processCpuMicros(store) - storeCpu0;
    const invocations = (fn: string): number[] => p.functions.get(fn)?.proc?.describe().map((r) => r.invocations) ?? [];
    const mongo = await connectMongo(runConfig);
    let facts: number;
    try {
      facts = await mongo.db.collection(COLLECTIONS.fact).countDocuments();
      await mongo.db.dropDatabase();
    } finally {
      await mongo.close();
    }
    if (facts !== ctx.total) throw new Error(`${facts} facts for ${ctx.total} events`);
    const seconds = (t1 - t0) / 1000;
    const ingestSeconds = (tIngest! - t0) / 1000;
    return {
      replicas: ctx.replicas,
      seconds: round(seconds, 2),
      events_per_s: Math.round(ctx.total / seconds),
      steady_events_per_s: Math.round((0.8 * ctx.total) / ((t90! - t10!) / 1000)),
      ingest_seconds: round(ingestSeconds, 2),
      ingest_events_per_s: Math.round(ctx.total / ingestSeconds),
      cpu_us_per_event: round(cpu / ctx.total, 1),
      cores_used: { functions: round(cpu / 1e6 / seconds, 2), ferretdb: storeCpu === undefined ? null : round(storeCpu / 1e6 / seconds, 2) },
      invocations: { ingest: invocations('ingest'), aggregate: invocations('aggregate') },
      facts,
      loadavg: { before, after },
    };
  } finally {
    await p.stop();
    await ctx.admin.deleteGroups(['ingest', 'aggregate'].map((f) => groupPrefix + f)).catch(() => undefined);
    await deleteTopics(ctx.admin, [env.TOPIC_ACCEPTED!, env.TOPIC_DLQ!, env.TOPIC_DELTAS!]);
    const store = RedisKpiStore.open(runConfig.redisUrl, runConfig.kpiPrefix, 'bench-replicas-cleanup');
    await store.deleteAll().catch(() => undefined);
    await store.close();
  }
}

export async function runReplicasBench(opts: { events?: number; replicas?: number[]; seed?: number; config?: Config; log?: Logger; timeoutMs?: number } = {}): Promise<ReplicasBenchResult> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ component: 'bench-replicas' });
  const total = opts.events ?? 20_000;
  // Each count twice, in mirrored order (ABCCBA), so a drift of the shared machine's load during the bench
  // weighs on every count alike; ratios use the means.
  const counts = opts.replicas ?? [1, 2, 4, 4, 2, 1];
  const id = suffix();
  const orders = `bench-rep-${id}-orders`;
  const kafka = createKafka(config, `bench-replicas-${id}`);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await createTopic(admin, orders, REPLICA_PARTITIONS);
    const g = createGenerator({ seed: opts.seed ?? 7, start: '2024-06-01T00:00:00Z', eventRate: 500 });
    const events = Array.from({ length: total }, () => {
      const e = g.next();
      return { key: e.order_id, bytes: encodeEventBuffer(e) };
    });
    const tp = performance.now();
    await produceRaw(producer, orders, events);
    const produceRate = Math.round(total / ((performance.now() - tp) / 1000));
    log.info('replicas bench: events produced', { events: total, partitions: REPLICA_PARTITIONS, eventsPerS: produceRate });
    const runs: ReplicaRun[] = [];
    for (const replicas of counts) {
      log.info('replicas bench: run', { replicas });
      runs.push(await oneRun(config, { id, replicas, orders, total, admin, log, timeoutMs: opts.timeoutMs ?? 600_000 }));
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ones = runs.filter((r) => r.replicas === 1);
    const base = ones.length ? { e2e: mean(ones.map((r) => r.events_per_s)), steady: mean(ones.map((r) => r.steady_events_per_s)), ingest: mean(ones.map((r) => r.ingest_events_per_s)) } : undefined;
    if (base) {
      for (const r of runs) {
        r.ratio_to_1 = round(r.events_per_s / base.e2e, 2);
        r.steady_ratio_to_1 = round(r.steady_events_per_s / base.steady, 2);
        r.ingest_ratio_to_1 = round(r.ingest_events_per_s / base.ingest, 2);
      }
    }
    const by_replicas = [...new Set(runs.map((r) => r.replicas))].map((replicas) => {
      const mine = runs.filter((r) => r.replicas === replicas);
      const eps = Math.round(mean(mine.map((r) => r.events_per_s)));
      return { replicas, runs: mine.length, events_per_s: eps, ...(base ? { ratio_to_1: round(eps / base.e2e, 2) } : {}) };
    });
    return { events: total, partitions: REPLICA_PARTITIONS, produce_events_per_s: produceRate, runs, by_replicas, machine: { cpus: os.cpus().length }, command: `npx tsx bench/replicas.ts --events ${total} --replicas ${counts.join(',')}` };
  } finally {
    await deleteTopics(admin, [orders]);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

const cli = commandLine({
  usage: `Usage: npx tsx bench/replicas.ts [--events N] [--replicas 1,2,4,4,2,1] [--seed N]

Throughput of ingest + aggregate end to end with 1, 2 and 4 replicas each (8 partitions), each
count run twice in mirrored order (default 20,000 events a run). Needs the stack.`,
  options: {
    events: { type: 'number', min: 1000, integer: true },
    replicas: { type: 'list', value: 'replica counts, e.g. --replicas 1,2,4' },
    seed: { type: 'number', min: 0, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  const counts = v.replicas?.map(Number);
  if (counts?.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) cli.fail('--replicas takes counts from 1 to 16, e.g. 1,2,4');
  runReplicasBench({ ...(v.events ? { events: v.events } : {}), ...(counts ? { replicas: counts } : {}), ...(v.seed !== undefined ? { seed: v.seed } : {}) })
    .then((r) => {
      process.stdout.write(replicasLines(r).join('\n') + '\n' + JSON.stringify(r, null, 2) + '\n');
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`replicas bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
