/**
 * Batch analytics over all history (hot store + Parquet archive), per size of history:
 *
 *   seed      generator orders; the older part written straight into a local Parquet archive
 *             with the project's writer (archive-move would take too long), the newer part
 *             (`hot`, half unless capped) inserted into the hot store (FerretDB here) as facts;
 *   raw       the bare driver's cursor over the same hot facts (same projection, same batch
 *             size): the ceiling of any engine's hot-store read; plus a "delta" read of the last
 *             minute's facts (`_id` > the id 1 200 facts before the end: 20 orders/s × 60 s), the
 *             cost an incremental hot load would pay on this server;
 *   duckdb    our engine, both ways of keeping its hot rows (ANALYTICS_HOT_READ):
 *             full         a cold run (engine just opened: every hot fact and every archive file
 *                          loaded = the original design's re-read-everything approach, our
 *                          BASELINE), then `fullRuns` runs that re-read the hot store with the
 *                          archive cached;
 *             incremental  (the default) its first run (hot-store scan + archive), then `warmRuns`
 *                          minute-cadence runs, each after a minute of new orders (`minuteOrders`,
 *                          default 1 200 = 20 orders/s) stored as facts AND sent as accepted events
 *                          to a topic of the bench's own, as ingest does; before the second one an
 *                          archive file of 10 000 hot orders is written (a batch half moved: in
 *                          both places), so that run also loads a file and subtracts its orders;
 *   spark     one run per entry of `sparkCores` (spark.cores.max: executors of one core each;
 *             the driver takes one more worker core), submitted over REST to the local master.
 * Every run's result is checked to count exactly the seeded orders.
 *
 *   tsx bench/analytics.ts [--orders 100000,1000000] [--engines duckdb,spark] [--warm 3] [--full-runs 1] [--minute-orders 1200] [--hot-cap N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { COLLECTIONS, connectMongo, ensureSchema, type MongoHandle } from '../shared/adapters/mongo.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { groupByDt } from '../shared/archive/denormalise.ts';
import { filePath } from '../shared/archive/layout.ts';
import { encodeArchiveFile } from '../shared/archive/parquet.ts';
import { rowOf } from '../shared/archive/testing/facts.ts';
import { fixtureOf } from '../shared/archive/testing/generated.ts';
import { testDbName } from '../shared/archive/testing/seed.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { DuckDbEngine, type DuckDbRunStats } from '../shared/analytics/adapters/duckdb-engine.ts';
import { SparkEngine } from '../shared/analytics/adapters/spark-engine.ts';
import { ANALYTICS_FIELD_NAMES } from '../shared/analytics/columns.ts';
import type { AnalyticsEngine } from '../shared/analytics/engine.ts';
import { QUERIES } from '../shared/analytics/queries.ts';
import { toResult } from '../shared/analytics/results.ts';
import type { EngineName } from '../shared/analytics/types.ts';
import { commandLine } from '../shared/platform/args.ts';
import { createKafka, createSink, ensureTopics, type KafkaSink } from '../shared/adapters/kafka.ts';
import { KafkaAcceptedFeed } from '../shared/analytics/adapters/kafka-feed.ts';
import { canonicalJson } from '../shared/contract/canonical.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import type { FactFixture } from '../shared/archive/testing/facts.ts';
import { median } from './stats.ts';

export interface AnalyticsBenchOptions {
  /** Sizes of history (default 100 000 and 1 000 000). */
  orders?: number[];
  engines?: EngineName[];
  /** Incremental minute-cadence DuckDB runs after its first (default 3). */
  warmRuns?: number;
  /** Full re-read runs after the cold one (default 1). */
  fullRuns?: number;
  /** New orders before each incremental minute run (default 1 200: a minute at 20 orders/s). */
  minuteOrders?: number;
  /** Spark runs, one per total executor cores (default [1, 2]). */
  sparkCores?: number[];
  /** At most this many hot orders (the rest archived); default none (half hot). */
  hotCap?: number;
  /** Rows per archive file (default 10 000, like a few archive-move batches per day). */
  rowsPerFile?: number;
  config?: Config;
  log?: Logger;
}

export interface DuckDbRun extends DuckDbRunStats {
  total_ms: number;
}

export interface SparkRun {
  cores: number;
  total_ms?: number;
  skipped?: string;
}

export interface AnalyticsSizeResult {
  orders: number;
  hot: number;
  archived: number;
  /** True when the hot part was capped below half (hotCap). */
  hot_capped: boolean;
  archive_files: number;
  archive_mb: number;
  seed: { hot_s: number; hot_docs_per_s: number; archive_s: number };
  /** The bare driver's cursor over the hot facts (same projection and batch size as the engine). */
  raw_cursor: { docs: number; ms: number; docs_per_s: number };
  /** Reading only the last minute's facts (`_id` greater than a recent one). */
  delta_read: { docs: number; ms: number };
  duckdb?: {
    /** ANALYTICS_HOT_READ=full, engine just opened: every hot fact and every archive file loaded = the re-read-everything baseline. */
    cold: DuckDbRun;
    /** Full mode, later runs: hot store re-read, archive cached. */
    full: DuckDbRun[];
    /** Incremental mode: its first run (hot-store scan, archive loaded). */
    start: DuckDbRun;
    /** Incremental minute runs (the second one also loads a half-moved batch's file). */
    warm: DuckDbRun[];
    minute_orders: number;
    /** Median incremental minute run: the minute-cadence job. */
    minute_ms: number;
    /** Median full-mode run with the archive cached. */
    full_minute_ms: number;
    /** Our engine's hot-store scan rate (median over scans) and its ratio to the raw cursor's. */
    hot_docs_per_s: number;
    hot_vs_raw: number;
    /** cold / minute. */
    baseline_ratio: number;
    /** Every order read as a document (the original design without an archive), from the measured hot rate. */
    all_documents_estimate_ms: number;
  };
  spark?: SparkRun[];
}

export interface AnalyticsBenchResult {
  sizes: AnalyticsSizeResult[];
  load: { before: number[]; after: number[] };
  cpus: number;
  targets: { minute_ms_at_1m: number };
}

const DELTA = 1_200;
const CHUNK = 50_000;
const BATCH = 10_000;
const PROJECTION: Record<string, 0 | 1> = { _id: 0, order_timestamp: 1, ...Object.fromEntries(ANALYTICS_FIELD_NAMES.map((n) => [n, 1] as const)) };

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const loadAvg = (): number[] => os.loadavg().map(r2);

interface Seeded {
  hot: number;
  archived: number;
  files: number;
  bytes: number;
  hotS: number;
  archiveS: number;
  /** The _id of the fact DELTA facts before the last one inserted. */
  deltaFrom: unknown;
  /** The first hot facts (archived as a half-moved batch during the incremental runs). */
  firstHot: Record<string, unknown>[];
  /** The generator, positioned after the seeded orders. */
  next: () => OrderEvent;
}

const HALF_MOVED = 10_000;

/** Generate `orders` generator orders in chunks (memory stays flat at 1M): the oldest archived, the newest hot. */
async function seed(mongo: MongoHandle, storage: LocalStorage, orders: number, hot: number, perFile: number, log: Logger): Promise<Seeded> {
  const archived = orders - hot;
  const g = createGenerator({ seed: 11, start: '2026-01-01T00:00:00Z', eventRate: 0.25 });
  const at = new Date();
  await ensureSchema(mongo.db);
  const facts = mongo.db.collection(COLLECTIONS.fact);
  let files = 0;
  let bytes = 0;
  let hotS = 0;
  let archiveS = 0;
  let hotDone = 0;
  let deltaFrom: unknown;
  const firstHot: Record<string, unknown>[] = [];
  for (let start = 0; start < orders; start += CHUNK) {
    const n = Math.min(CHUNK, orders - start);
    const chunk = Array.from({ length: n }, () => fixtureOf(g.next(), at));
    const cut = Math.max(0, Math.min(n, archived - start));
    if (cut > 0) {
      const t = performance.now();
      for (const [dt, rows] of groupByDt(chunk.slice(0, cut).map((f) => rowOf(f, 'bench')))) {
        for (let i = 0; i < rows.length; i += perFile) {
          const batchId = `bench-${start}-${dt}-${i / perFile}`;
          const file = encodeArchiveFile(rows.slice(i, i + perFile).map((r) => ({ ...r, batch_id: batchId })), { batchId });
          await storage.put(filePath(dt, batchId), file);
          files++;
          bytes += file.byteLength;
        }
      }
      archiveS += (performance.now() - t) / 1000;
    }
    if (cut < n) {
      const t = performance.now();
      const docs = chunk.slice(cut).map((f) => ({ ...f.fact }) as Record<string, unknown>);
      for (let i = 0; i < docs.length; i += 5000) await facts.insertMany(docs.slice(i, i + 5000), { ordered: true });
      hotS += (performance.now() - t) / 1000;
      hotDone += docs.length;
      for (const d of docs) if (firstHot.length < HALF_MOVED) firstHot.push(d);
      const d = docs.length - DELTA - 1;
      if (d >= 0) deltaFrom = docs[d]!._id;
    }
    log.info('bench analytics: seeding', { orders, done: start + n, archived: Math.min(archived, start + n), hot: hotDone, archive_files: files, hot_s: r1(hotS), hot_docs_per_s: Math.round(hotDone / (hotS || 1)) });
  }
  return { hot, archived, files, bytes, hotS, archiveS, deltaFrom, firstHot, next: () => g.next() };
}

async function rawCursor(mongo: MongoHandle): Promise<{ docs: number; ms: number; docs_per_s: number }> {
  const t = performance.now();
  let docs = 0;
  for await (const d of mongo.db.collection(COLLECTIONS.fact).find({}, { projection: PROJECTION, batchSize: BATCH })) if (d) docs++;
  const ms = performance.now() - t;
  return { docs, ms: Math.round(ms), docs_per_s: Math.round(docs / (ms / 1000)) };
}

async function deltaRead(mongo: MongoHandle, from: unknown): Promise<{ docs: number; ms: number }> {
  const t = performance.now();
  const docs = from === undefined ? [] : await mongo.db.collection(COLLECTIONS.fact).find({ _id: { $gt: from as never } }, { projection: PROJECTION, batchSize: BATCH }).toArray();
  return { docs: docs.length, ms: Math.round(performance.now() - t) };
}

/** A minute of new orders: facts into the hot store and their accepted events onto `topic`, as ingest does. */
async function newOrders(mongo: MongoHandle, sink: KafkaSink, topic: string, next: () => OrderEvent, n: number): Promise<void> {
  const at = new Date();
  const events = Array.from({ length: n }, next);
  await mongo.db.collection(COLLECTIONS.fact).insertMany(events.map((ev) => ({ ...fixtureOf(ev, at).fact }) as Record<string, unknown>), { ordered: true });
  await sink.send(topic, events.map((ev) => ({ key: ev.order_id, value: canonicalJson(ev) })));
}

/** Write the first hot facts into an archive file without deleting them: a batch half moved. */
async function halfMove(storage: LocalStorage, facts: Record<string, unknown>[]): Promise<void> {
  for (const [dt, rows] of groupByDt(facts.map((f) => rowOf({ fact: f } as unknown as FactFixture, 'bench-half')))) {
    const batchId = `bench-half-${dt}`;
    await storage.put(filePath(dt, batchId), encodeArchiveFile(rows.map((r) => ({ ...r, batch_id: batchId })), { batchId }));
  }
}

async function timed(engine: AnalyticsEngine, orders: number): Promise<number> {
  const t0 = performance.now();
  const r = toResult(engine.name, await engine.run(QUERIES), 0);
  const ms = Math.round(performance.now() - t0);
  if (r.summary.orders !== orders) throw new Error(`bench: ${engine.name} counted ${r.summary.orders} orders, seeded ${orders}`);
  return ms;
}

/** Cores of the Spark cluster's alive workers, in total and free (master UI JSON); throws when it does not answer. */
async function sparkCores(config: Config): Promise<{ total: number; free: number }> {
  const res = await fetch(`http://127.0.0.1:${config.sparkMasterUiPort}/json/`, { signal: AbortSignal.timeout(5000) });
  const j = (await res.json()) as { cores?: number; coresused?: number };
  return { total: j.cores ?? 0, free: (j.cores ?? 0) - (j.coresused ?? 0) };
}

/** Why a Spark run with `cores` executor cores cannot be measured now (after waiting for other applications to end), or undefined. */
async function sparkUnavailable(config: Config, cores: number, log: Logger): Promise<string | undefined> {
  let c: { total: number; free: number };
  try {
    c = await sparkCores(config);
  } catch {
    return `the Spark master UI at 127.0.0.1:${config.sparkMasterUiPort} does not answer; npm run stack -- up --all`;
  }
  if (c.total < cores + 1) return `the cluster's workers have ${c.total} cores; ${cores} executor cores need ${cores + 1} (the driver takes one)`;
  if (c.free >= cores + 1) return undefined;
  log.info('bench analytics: waiting for Spark cores (another application runs)', { cores, free: c.free });
  try {
    await waitFor(async () => (await sparkCores(config)).free >= cores + 1, { timeoutMs: 10 * 60_000, intervalMs: 2000, what: `${cores + 1} free Spark cores` });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

async function benchSize(orders: number, opts: AnalyticsBenchOptions, config: Config, log: Logger): Promise<AnalyticsSizeResult> {
  const engines = opts.engines ?? ['duckdb', 'spark'];
  const hot = Math.min(orders - Math.floor(orders / 2), opts.hotCap ?? Infinity);
  const dbName = testDbName('bench_analytics');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'op-bench-analytics-'));
  const storage = new LocalStorage(dir);
  const mongo = await connectMongo(config, dbName);
  try {
    const s = await seed(mongo, storage, orders, hot, opts.rowsPerFile ?? 10_000, log);
    const out: AnalyticsSizeResult = {
      orders,
      hot: s.hot,
      archived: s.archived,
      hot_capped: s.hot < orders - Math.floor(orders / 2),
      archive_files: s.files,
      archive_mb: r2(s.bytes / 1e6),
      seed: { hot_s: r1(s.hotS), hot_docs_per_s: Math.round(s.hot / (s.hotS || 1)), archive_s: r1(s.archiveS) },
      raw_cursor: { docs: 0, ms: 0, docs_per_s: 0 },
      delta_read: { docs: 0, ms: 0 },
    };
    log.info('bench analytics: raw cursor over the hot facts', { orders, hot: s.hot });
    out.raw_cursor = await rawCursor(mongo);
    out.delta_read = await deltaRead(mongo, s.deltaFrom);
    log.info('bench analytics: raw reads', { orders, raw_cursor: out.raw_cursor, delta_read: out.delta_read });

    if (engines.includes('duckdb')) {
      const run = async (engine: DuckDbEngine, label: string, expected: number): Promise<DuckDbRun> => {
        const total = await timed(engine, expected);
        const r = { ...engine.lastStats!, total_ms: total };
        log.info(`bench analytics: duckdb ${label}`, { orders: expected, ...r });
        return r;
      };
      // Full re-read (the baseline), then the incremental engine over the same data.
      const full = new DuckDbEngine({ config, log: log.child({ engine: 'duckdb', hot_read: 'full' }), dbName, storage, batchSize: BATCH, hotRead: 'full' });
      let cold: DuckDbRun;
      const fullRuns: DuckDbRun[] = [];
      try {
        cold = await run(full, 'full, cold (nothing cached: the re-read-everything baseline)', orders);
        for (let i = 0; i < (opts.fullRuns ?? 1); i++) fullRuns.push(await run(full, `full, run ${i + 2} (hot store re-read, archive cached)`, orders));
      } finally {
        await full.close();
      }
      const topic = `bench.analytics.accepted.${process.pid}.${Date.now()}`;
      const kafka = createKafka(config, 'orderpulse-bench-analytics', log);
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, [{ topic, partitions: 3 }]);
      const sink = await createSink(kafka);
      const openFeed = () => new KafkaAcceptedFeed(kafka, topic, log.child({ feed: topic }));
      const inc = new DuckDbEngine({ config, log: log.child({ engine: 'duckdb', hot_read: 'incremental' }), dbName, storage, batchSize: BATCH, hotRead: 'incremental', fullEvery: 0, openFeed });
      const perMinute = opts.minuteOrders ?? DELTA;
      let total = orders;
      try {
        const start = await run(inc, 'incremental, first run (hot-store scan)', total);
        const warm: DuckDbRun[] = [];
        for (let i = 0; i < (opts.warmRuns ?? 3); i++) {
          await newOrders(mongo, sink, topic, s.next, perMinute);
          total += perMinute;
          if (i === 1) await halfMove(storage, s.firstHot);
          warm.push(await run(inc, `incremental, minute run ${i + 1} (+${perMinute} orders${i === 1 ? `, + a half-moved batch of ${s.firstHot.length}` : ''})`, total));
        }
        const scans = [cold, ...fullRuns, start];
        const hotRate = median(scans.map((x) => x.hot_scanned / (x.hot_ms / 1000)));
        const queryMs = median(scans.map((x) => x.query_ms));
        const minute = median(warm.map((w) => w.total_ms));
        out.duckdb = {
          cold,
          full: fullRuns,
          start,
          warm,
          minute_orders: perMinute,
          minute_ms: minute,
          full_minute_ms: median(fullRuns.map((x) => x.total_ms)),
          hot_docs_per_s: Math.round(hotRate),
          hot_vs_raw: r2(hotRate / out.raw_cursor.docs_per_s),
          baseline_ratio: r2(cold.total_ms / minute),
          all_documents_estimate_ms: Math.round((orders / hotRate) * 1000 + queryMs),
        };
      } finally {
        await inc.close();
        await sink.close().catch(() => undefined);
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    }

    if (engines.includes('spark')) {
      out.spark = [];
      for (const cores of opts.sparkCores ?? [1, 2]) {
        const why = await sparkUnavailable(config, cores, log);
        if (why !== undefined) {
          out.spark.push({ cores, skipped: why });
          log.warn('bench analytics: spark run skipped', { orders, cores, why });
          continue;
        }
        log.info('bench analytics: spark run submitted', { orders, cores });
        const engine = new SparkEngine({ ...config, hiveMetastoreUri: undefined, archiveUrl: pathToFileURL(dir).href }, log.child({ engine: 'spark' }), { dbName, cores, hotPartitions: Math.max(2, cores), timeoutMs: 30 * 60_000 });
        try {
          const total = await timed(engine, orders);
          out.spark.push({ cores, total_ms: total });
          log.info('bench analytics: spark run', { orders, cores, total_ms: total });
        } catch (e) {
          out.spark.push({ cores, skipped: `failed: ${(e as Error).message.slice(0, 300)}` });
          log.error('bench analytics: spark run failed', { orders, cores, err: (e as Error).message });
        } finally {
          await engine.close();
        }
      }
    }
    return out;
  } finally {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runAnalyticsBench(opts: AnalyticsBenchOptions = {}): Promise<AnalyticsBenchResult> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ bench: 'analytics' });
  const before = loadAvg();
  const sizes: AnalyticsSizeResult[] = [];
  for (const orders of opts.orders ?? [100_000, 1_000_000]) sizes.push(await benchSize(orders, opts, config, log));
  return { sizes, load: { before, after: loadAvg() }, cpus: os.cpus().length, targets: { minute_ms_at_1m: 10_000 } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cli = commandLine({
    usage: 'tsx bench/analytics.ts [--orders 100000,1000000] [--engines duckdb,spark] [--warm 3] [--full-runs 1] [--minute-orders 1200] [--spark-cores 1,2] [--hot-cap N]',
    options: {
      orders: { type: 'list', value: 'sizes of history' },
      engines: { type: 'list', value: 'duckdb, spark', allowed: ['duckdb', 'spark'] },
      warm: { type: 'number', min: 0, integer: true },
      'full-runs': { type: 'number', min: 0, integer: true },
      'minute-orders': { type: 'number', min: 1, integer: true },
      'spark-cores': { type: 'list', value: 'total executor cores per Spark run' },
      'hot-cap': { type: 'number', min: 1, integer: true },
    },
  });
  const { values: v } = cli.parse(process.argv.slice(2));
  const r = await runAnalyticsBench({
    ...(v.orders ? { orders: v.orders.map(Number) } : {}),
    ...(v.engines ? { engines: v.engines as EngineName[] } : {}),
    ...(v.warm !== undefined ? { warmRuns: v.warm } : {}),
    ...(v['full-runs'] !== undefined ? { fullRuns: v['full-runs'] } : {}),
    ...(v['minute-orders'] !== undefined ? { minuteOrders: v['minute-orders'] } : {}),
    ...(v['spark-cores'] ? { sparkCores: v['spark-cores'].map(Number) } : {}),
    ...(v['hot-cap'] !== undefined ? { hotCap: v['hot-cap'] } : {}),
  });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  process.exit(0);
}
