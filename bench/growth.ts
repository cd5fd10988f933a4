/**
 * How cost grows (issue 10, item 6). In one run, in a private MongoDB database and a private
 * redis-server:
 *
 * 1. Hot store growth: preload 1×, 4× and 16× `base` orders (raw insertMany of ingest's own fact,
 *    registry and dimension documents, built by shared/archive/testing/generated.ts; the customers
 *    and products of all 16× are loaded first, so every level meets the same known world; one
 *    warm-up ingest batch and archive-move before timing), and at each size measure
 *    - ingest: `events` new generator events through the ingest core (ingestBatch, the function's
 *      code path, with the real MongoDB store and a real Kafka sink), batches of 2,000, 4 at a
 *      time (4 partitions); events/s and the wall time of each store call (which query grows);
 *      then the first batch again (2,000 exact duplicates: the id look-ups a redelivery costs);
 *    - archive-move: `archive` of the oldest orders through the real move core (runMove, local
 *      directory backend); orders/s and the time of each step (freeze, write, verify, register,
 *      delete).
 *    Both call the existing code, so after other changes are merged they measure those.
 * 2. KPI stage per-event cost: `kpiOrders` accepted orders through aggregate() (the function's
 *    core: parse, contributions, the exactly-once Lua apply) in batches of 2,000 on a private
 *    redis-server: CPU µs per event of the Node process, Lua µs per event (Redis commandstats),
 *    wall ms per batch; one materialisation (snapshot + views + write) in ms; Redis memory per
 *    order (used_memory delta and MEMORY USAGE per key group) extrapolated to a million orders.
 *
 * `npx tsx bench/growth.ts [--base N] [--events N] [--archive N] [--kpi-orders N] [--levels 1,4,16] [--help]`
 * prints one JSON object. Needs the stack: `npm run stack -- up`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from 'mongodb';
import { commandLine, parseOrExit } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { COLLECTIONS, ensureSchema } from '../shared/adapters/mongo.ts';
import { createKafka, createSink } from '../shared/adapters/kafka.ts';
import { deliveredBatch, type DeliveredBatch, type DeliveredMessage } from '../shared/delivery/wire.ts';
import { ingestBatch } from '../shared/ingest/ingest.ts';
import { createMongoStore } from '../shared/ingest/adapters/mongo-store.ts';
import { createDimCache } from '../shared/ingest/dim-cache.ts';
import type { IngestStore } from '../shared/ingest/types.ts';
import { openArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { runMove } from '../shared/archive/move.ts';
import type { BatchManifest } from '../shared/archive/manifest.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import { seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import type { FactFixture } from '../shared/archive/testing/facts.ts';
import { aggregate } from '../shared/kpi/aggregate.ts';
import { materialize } from '../shared/kpi/materialize.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { kpiWriterOptions } from '../shared/kpi/adapters/open.ts';
import { canonicalJson } from '../shared/contract/canonical.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { startPrivateRedis } from '../tests/kpi-redis.ts';
import { createTopic, deleteTopics, suffix } from '../tests/corpus/kafka-io.ts';

export interface GrowthBenchOptions {
  /** Orders in the hot store at 1× (default 10,000). */
  base?: number;
  /** Multiples of base measured (default 1, 4, 16). */
  levels?: number[];
  /** Events ingested per level (default 10,000). */
  events?: number;
  /** Orders archived per level (default 5,000). */
  archive?: number;
  /** Orders through aggregate for the KPI cost (default 50,000). */
  kpiOrders?: number;
  config?: Config;
  log?: Logger;
}

export interface GrowthLevel {
  multiple: number;
  /** orders_fact documents when the level was measured. */
  hot_orders: number;
  registry_ids: number;
  preload_s: number;
  /** reference_*: the same measurement, just before, on a store holding only the measured orders (same world); ratio = level rate / reference rate. */
  ingest: {
    events: number;
    seconds: number;
    events_per_s: number;
    store_ms_per_batch: Record<string, number>;
    reference_events_per_s: number;
    reference_store_ms_per_batch: Record<string, number>;
    ratio_to_reference: number;
    /** One batch of exact duplicates (the level's first batch again): ingest must look the ids up. */
    duplicates: { events: number; events_per_s: number; store_ms: Record<string, number>; reference_events_per_s: number; reference_store_ms: Record<string, number>; ratio_to_reference: number };
  };
  archive: { orders: number; seconds: number; orders_per_s: number; steps_s: Record<string, number>; reference_orders_per_s: number; reference_steps_s: Record<string, number>; ratio_to_reference: number };
}

export interface KpiCost {
  orders: number;
  batch: number;
  cpu_us_per_event: number;
  /** Redis commandstats usec of the scripts: wall time inside Redis, inflated when the machine preempts Redis. */
  lua_us_per_event: number;
  /** The private redis-server's own CPU time (INFO cpu, user + sys) per event: robust to a loaded machine. */
  redis_cpu_us_per_event: number;
  batch_ms: { p50: number; p95: number; max: number };
  materialize_ms: { p50: number; max: number };
  distinct_customers: number;
  memory: {
    used_memory_delta_bytes: number;
    /** MEMORY USAGE (SAMPLES 0) summed per key group. */
    by_group_bytes: Record<string, number>;
    marks_bytes_per_order: number;
    customer_sets_bytes_per_customer: number;
    /** Everything else (hashes, ZSETs, views): bounded by products, states, methods, segments and 60 minutes. */
    bounded_bytes: number;
    /** used_memory growth per order, × 1,000,000 (all history kept: dedupe horizon 0). */
    per_million_orders_all_history_bytes: number;
    /** The marks part only for the orders inside two dedupe horizons. */
    note: string;
  };
  dedupe_horizon_hours: number;
}

export interface GrowthBenchResult {
  base: number;
  levels: GrowthLevel[];
  /** (rate / reference rate) at the largest level divided by the same at the smallest: below 1 = slower as the store fills. */
  ingest_ratio_largest_to_1x: number;
  archive_ratio_largest_to_1x: number;
  kpi: KpiCost;
  load_average: { before: number[]; after: number[] };
  hot_store: string;
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const BATCH = 2000;
const PARTITIONS = 4;

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** The ingest store with the wall time of each call added up per method (ms). */
export function timedStore(store: IngestStore, ms: Record<string, number>): IngestStore {
  const out = {} as Record<string, unknown>;
  for (const k of ['registerOrders', 'registered', 'insertFacts', 'factHashes', 'insertDimensions'] as const) {
    const f = store[k].bind(store) as (...a: unknown[]) => Promise<unknown>;
    out[k] = async (...a: unknown[]): Promise<unknown> => {
      const t = performance.now();
      try {
        return await f(...a);
      } finally {
        ms[k] = (ms[k] ?? 0) + performance.now() - t;
      }
    };
  }
  return out as unknown as IngestStore;
}

/** Raw inserts of the preload: facts and dimensions (seedHotStore) plus the order-id registry. */
async function preload(db: Db, fixtures: readonly FactFixture[]): Promise<void> {
  await seedHotStore(db, fixtures);
  const reg = fixtures.map((f) => ({ _id: String(f.fact.order_id), content_hash: String(f.fact.content_hash) }));
  for (let i = 0; i < reg.length; i += 5000) await db.collection<{ _id: string; content_hash: string }>(COLLECTIONS.registry).insertMany(reg.slice(i, i + 5000), { ordered: false });
}

/** First-wins customer and product rows of these orders (what a store that has seen them holds). */
async function preloadWorld(db: Db, fixtures: readonly FactFixture[]): Promise<void> {
  for (const [name, rows] of [
    [COLLECTIONS.customers, fixtures.map((f) => f.customer)],
    [COLLECTIONS.products, fixtures.map((f) => f.product)],
  ] as const) {
    const first = new Map<string, Record<string, unknown>>();
    for (const r of rows) if (!first.has(String(r._id))) first.set(String(r._id), r);
    const docs = [...first.values()] as { _id: string }[];
    for (let i = 0; i < docs.length; i += 5000) await db.collection<{ _id: string }>(name).insertMany(docs.slice(i, i + 5000), { ordered: false });
  }
}

function batchesOf(topic: string, bytes: Buffer[], keys: string[], offset0: number): DeliveredBatch[] {
  const out: DeliveredBatch[] = [];
  for (let i = 0; i < bytes.length; i += BATCH) {
    const part = (i / BATCH) % PARTITIONS;
    const recs = bytes.slice(i, i + BATCH).map((value, j) => ({ offset: String(offset0 + i + j), key: Buffer.from(keys[i + j] as string), value, timestamp: String(Date.now()), headers: [] }));
    out.push(deliveredBatch(topic, part, recs));
  }
  return out;
}

async function loadAverage(): Promise<number[]> {
  return os.loadavg().map((x) => round(x, 2));
}

interface Store {
  db: Db;
  moveDeps: () => Parameters<typeof runMove>[0];
  manifests: () => Promise<BatchManifest[]>;
  close(): Promise<void>;
}

async function openStore(config: Config, localDirs: string[]): Promise<Store> {
  const localDir = await mkdtemp(path.join(os.tmpdir(), 'op-bench-growth-'));
  localDirs.push(localDir);
  const backends = { storage: new LocalStorage(localDir), catalog: new LocalCatalog(path.join(localDir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } } as const;
  const rt = await openArchiveRuntime(config, { dbName: testDbName('bench_growth'), log: createLogger({ bench: 'growth' }, () => undefined), backends });
  return {
    db: rt.mongo.db,
    moveDeps: () => rt.moveDeps(),
    manifests: () => rt.manifests.list(),
    async close() {
      await rt.mongo.db.dropDatabase().catch(() => undefined);
      await rt.close().catch(() => undefined);
    },
  };
}

const TARGET = { database: 'orderpulse', table: 'orders_fact' };

async function hotGrowth(o: Required<Pick<GrowthBenchOptions, 'base' | 'levels' | 'events' | 'archive'>>, config: Config, log: Logger): Promise<GrowthLevel[]> {
  const id = suffix();
  const topics = { orders: `bench-growth-${id}-orders`, dlq: `bench-growth-${id}-dlq`, accepted: `bench-growth-${id}-accepted` };
  const localDirs: string[] = [];
  const kafka = createKafka(config, `bench-growth-${id}`);
  const admin = kafka.admin();
  await admin.connect();
  const sink = await createSink(kafka);
  const stores: Store[] = [];
  try {
    const main = await openStore(config, localDirs);
    stores.push(main);
    // The reference: the same world, but only the measured orders in the hot store. Measured
    // right before each level, so the ratio level / reference cancels the shared machine's drift.
    const ref = await openStore(config, localDirs);
    stores.push(ref);
    await createTopic(admin, topics.accepted, PARTITIONS);
    await createTopic(admin, topics.dlq, 1);
    const maxLevel = Math.max(...o.levels);
    log.info('growth: generating preload fixtures', { orders: o.base * maxLevel });
    const fixtures = generatedFixtures(o.base * maxLevel, 11);
    const refFixtures = generatedFixtures(o.archive * o.levels.length, 13);
    let used = 0;
    let refUsed = 0;
    const gen = createGenerator({ seed: 12, start: '2026-06-01T00:00:00Z', eventRate: 50 });
    let offset = 0;
    const ingest = async (db: Db): Promise<{ seconds: number; perBatch: Record<string, number>; dupSeconds: number; dupPerBatch: Record<string, number> }> => {
      const events = Array.from({ length: o.events }, () => gen.next());
      const batches = batchesOf(topics.orders, events.map(encodeEventBuffer), events.map((e) => e.order_id), offset);
      offset += o.events;
      const ms: Record<string, number> = {};
      const store = timedStore(createMongoStore(db), ms);
      const dimCache = createDimCache();
      let next = 0;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: PARTITIONS }, async () => {
          while (next < batches.length) {
            const b = batches[next++] as DeliveredBatch;
            const r = await ingestBatch(b, { store, sink, topics: { dlq: topics.dlq, accepted: topics.accepted }, maxEventBytes: config.maxEventBytes, dimCache });
            if (r.counts.accepted !== b.messages.length) throw new Error(`growth: ingest accepted ${r.counts.accepted} of ${b.messages.length}`);
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      const perBatch: Record<string, number> = {};
      for (const [k, v] of Object.entries(ms)) perBatch[k] = round(v / batches.length);
      // exact duplicates: the first batch delivered again (a redelivery), which must look the ids up
      const dms: Record<string, number> = {};
      const first = batches[0] as DeliveredBatch;
      const td = performance.now();
      const d = await ingestBatch(first, { store: timedStore(createMongoStore(db), dms), sink, topics: { dlq: topics.dlq, accepted: topics.accepted }, maxEventBytes: config.maxEventBytes, dimCache });
      const dupSeconds = (performance.now() - td) / 1000;
      if (d.counts.duplicates !== first.messages.length) throw new Error(`growth: expected ${first.messages.length} duplicates, got ${d.counts.duplicates}`);
      const dupPerBatch: Record<string, number> = {};
      for (const [k, v] of Object.entries(dms)) dupPerBatch[k] = round(v);
      return { seconds, perBatch, dupSeconds, dupPerBatch };
    };
    const archive = async (s: Store): Promise<{ seconds: number; steps: Record<string, number> }> => {
      const started = Date.now();
      const t = performance.now();
      const res = await runMove(s.moveDeps(), { orders: o.archive, maxBatch: o.archive, target: TARGET });
      const seconds = (performance.now() - t) / 1000;
      if (res.moved !== o.archive) throw new Error(`growth: archived ${res.moved} of ${o.archive}`);
      return { seconds, steps: await archiveSteps(s.manifests, started) };
    };

    // Customers and products of every preloaded order first, in both stores, so that each
    // level's ingest meets the same known world (else 1× would insert more first-seen rows than 16×).
    await preloadWorld(main.db, fixtures);
    await preloadWorld(ref.db, fixtures);
    // Warm-up (JIT, connections, index creation) before anything is timed.
    for (const s of [main, ref]) {
      const warm = Array.from({ length: BATCH }, () => gen.next());
      for (const b of batchesOf(topics.orders, warm.map(encodeEventBuffer), warm.map((e) => e.order_id), offset)) await ingestBatch(b, { store: createMongoStore(s.db), sink, topics: { dlq: topics.dlq, accepted: topics.accepted }, maxEventBytes: config.maxEventBytes });
      offset += BATCH;
      await runMove(s.moveDeps(), { orders: 500, maxBatch: 500, target: TARGET });
    }
    const facts = main.db.collection(COLLECTIONS.fact);
    const levels: GrowthLevel[] = [];
    for (const m of [...o.levels].sort((x, y) => x - y)) {
      const have = await facts.countDocuments();
      const want = Math.max(0, o.base * m - have);
      const t = performance.now();
      if (want > 0) await preload(main.db, fixtures.slice(used, used + want));
      used += want;
      const preloadS = (performance.now() - t) / 1000;
      const hot = await facts.countDocuments();
      const registry = await main.db.collection(COLLECTIONS.registry).countDocuments();
      log.info('growth: hot store preloaded', { multiple: m, hot, registry, seconds: round(preloadS) });

      // reference ingest into an emptied hot store (world kept), then the level's
      for (const c of [COLLECTIONS.fact, COLLECTIONS.registry]) await ref.db.collection(c).drop().catch(() => undefined);
      await ensureSchema(ref.db);
      const ri = await ingest(ref.db);
      const li = await ingest(main.db);
      log.info('growth: ingest', { multiple: m, eps: Math.round(o.events / li.seconds), reference_eps: Math.round(o.events / ri.seconds), store_ms_per_batch: li.perBatch, reference_store_ms_per_batch: ri.perBatch, duplicates_eps: Math.round(BATCH / li.dupSeconds), reference_duplicates_eps: Math.round(BATCH / ri.dupSeconds), duplicates_store_ms: li.dupPerBatch, reference_duplicates_store_ms: ri.dupPerBatch });

      // reference archive-move of `archive` orders from a store holding only those, then the level's
      await preload(ref.db, refFixtures.slice(refUsed, refUsed + o.archive));
      refUsed += o.archive;
      const ra = await archive(ref);
      const la = await archive(main);
      log.info('growth: archive-move', { multiple: m, ops: Math.round(o.archive / la.seconds), reference_ops: Math.round(o.archive / ra.seconds), steps: la.steps, reference_steps: ra.steps });
      levels.push({
        multiple: m,
        hot_orders: hot,
        registry_ids: registry,
        preload_s: round(preloadS),
        ingest: { events: o.events, seconds: round(li.seconds, 2), events_per_s: Math.round(o.events / li.seconds), store_ms_per_batch: li.perBatch, reference_events_per_s: Math.round(o.events / ri.seconds), reference_store_ms_per_batch: ri.perBatch, ratio_to_reference: round(ri.seconds / li.seconds, 2), duplicates: { events: BATCH, events_per_s: Math.round(BATCH / li.dupSeconds), store_ms: li.dupPerBatch, reference_events_per_s: Math.round(BATCH / ri.dupSeconds), reference_store_ms: ri.dupPerBatch, ratio_to_reference: round(ri.dupSeconds / li.dupSeconds, 2) } },
        archive: { orders: o.archive, seconds: round(la.seconds, 2), orders_per_s: Math.round(o.archive / la.seconds), steps_s: la.steps, reference_orders_per_s: Math.round(o.archive / ra.seconds), reference_steps_s: ra.steps, ratio_to_reference: round(ra.seconds / la.seconds, 2) },
      });
    }
    return levels;
  } finally {
    for (const s of stores) await s.close();
    await sink.close().catch(() => undefined);
    await deleteTopics(admin, Object.values(topics)).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    for (const d of localDirs) await rm(d, { recursive: true, force: true });
  }
}

/** Seconds per move step of the batches that started after `started` (from the manifests' history). */
async function archiveSteps(list: () => Promise<BatchManifest[]>, started: number): Promise<Record<string, number>> {
  const s: Record<string, number> = { freeze: 0, write: 0, verify: 0, register: 0, delete: 0 };
  for (const b of await list()) {
    const at = (step: string): number => new Date(b.history.find((h) => h.step === step)?.at ?? 0).getTime();
    if (at('frozen') < started) continue;
    s.freeze = (s.freeze ?? 0) + (at('frozen') - started) / 1000;
    s.write = (s.write ?? 0) + (at('written') - at('frozen')) / 1000;
    s.verify = (s.verify ?? 0) + (at('verified') - at('written')) / 1000;
    s.register = (s.register ?? 0) + (at('registered') - at('verified')) / 1000;
    s.delete = (s.delete ?? 0) + (at('deleted') - at('registered')) / 1000;
  }
  for (const k of Object.keys(s)) s[k] = round(s[k] as number, 2);
  return s;
}

/** used_cpu_user + used_cpu_sys of the server, µs. */
export function serverCpuUs(info: string): number {
  const v = (k: string): number => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (v('used_cpu_user') + v('used_cpu_sys')) * 1e6;
}

export function commandUsec(info: string, cmd: string): number {
  const m = new RegExp(`^cmdstat_${cmd}:calls=\\d+,usec=(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : 0;
}

/** Per-event cost of the KPI stage and Redis memory per order, on a private redis-server. */
export async function kpiCost(orders: number, config: Config, log: Logger): Promise<KpiCost> {
  const redis = await startPrivateRedis({ appendonly: false });
  const opts = kpiWriterOptions({ kpiDedupeHorizonHours: 0 });
  const store = RedisKpiStore.open(redis.url, 'op:kpi:', 'bench-growth-kpi', undefined, opts);
  try {
    const gen = createGenerator({ seed: 21, start: '2026-06-01T00:00:00Z', eventRate: 100 });
    const events = Array.from({ length: orders }, () => gen.next());
    const customers = new Set(events.map((e) => e.customer.customer_id)).size;
    const msgs: DeliveredMessage[] = events.map((e, i) => ({ topic: 'orders.accepted', partition: 0, offset: String(i), key: Buffer.from(e.order_id), value: Buffer.from(canonicalJson(e)), timestamp: '0', headers: [] }));
    // warm up the scripts and the JIT on a private prefix-free start, then measure from a clean server
    await aggregate(msgs.slice(0, 200), { store, notify: async () => undefined, countInvalid: async () => 0, log });
    await store.redis.flushall();
    const mem0 = Number(/used_memory:(\d+)/.exec(await store.redis.info('memory'))?.[1]);
    await store.redis.config('RESETSTAT');
    const redisCpu0 = serverCpuUs(await store.redis.info('cpu'));
    const wall: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < msgs.length; i += BATCH) {
      const t = performance.now();
      await aggregate(msgs.slice(i, i + BATCH), { store, notify: async () => undefined, countInvalid: async () => 0, log });
      wall.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    const redisCpu = serverCpuUs(await store.redis.info('cpu')) - redisCpu0;
    const stats = await store.redis.info('commandstats');
    const luaUs = commandUsec(stats, 'evalsha') + commandUsec(stats, 'eval');
    const mat: number[] = [];
    for (let i = 0; i < 5; i++) {
      await store.apply([]); // no change: materialise the same snapshot again (write skipped after the first)
      const t = performance.now();
      await materialize(store);
      mat.push(performance.now() - t);
    }
    const mem1 = Number(/used_memory:(\d+)/.exec(await store.redis.info('memory'))?.[1]);
    const groups: Record<string, number> = {};
    let cursor = '0';
    do {
      const [nextCursor, keys] = await store.redis.scan(cursor, 'COUNT', 1000);
      cursor = nextCursor;
      for (const k of keys) {
        const g = /applied/.test(k) ? 'marks (applied)' : /:cust$|:segc:/.test(k) ? 'customer sets' : /:min$/.test(k) ? 'minutes' : /:views:/.test(k) ? 'views' : 'other counters';
        groups[g] = (groups[g] ?? 0) + Number((await store.redis.memory('USAGE', k, 'SAMPLES', '0')) ?? 0);
      }
    } while (cursor !== '0');
    wall.sort((a, b) => a - b);
    mat.sort((a, b) => a - b);
    const marks = groups['marks (applied)'] ?? 0;
    const cust = groups['customer sets'] ?? 0;
    const bounded = Object.entries(groups).filter(([g]) => g !== 'marks (applied)' && g !== 'customer sets').reduce((a, [, v]) => a + v, 0);
    return {
      orders,
      batch: BATCH,
      cpu_us_per_event: round((cpu.user + cpu.system) / orders, 2),
      lua_us_per_event: round(luaUs / orders, 2),
      redis_cpu_us_per_event: round(redisCpu / orders, 2),
      batch_ms: { p50: round(pct(wall, 50)), p95: round(pct(wall, 95)), max: round(wall[wall.length - 1] ?? NaN) },
      materialize_ms: { p50: round(pct(mat, 50), 2), max: round(mat[mat.length - 1] ?? NaN, 2) },
      distinct_customers: customers,
      memory: {
        used_memory_delta_bytes: mem1 - mem0,
        by_group_bytes: groups,
        marks_bytes_per_order: round(marks / orders),
        customer_sets_bytes_per_customer: round(cust / customers),
        bounded_bytes: bounded,
        per_million_orders_all_history_bytes: Math.round(((mem1 - mem0) / orders) * 1e6),
        note: `marks grow with orders (${round(marks / orders)} B each) until the dedupe horizon bounds them to the orders of two horizons; customer sets grow with distinct customers (exact counts); the rest is bounded`,
      },
      dedupe_horizon_hours: config.kpiDedupeHorizonHours,
    };
  } finally {
    await store.close();
    await redis.destroy();
  }
}

export async function runGrowthBench(o: GrowthBenchOptions = {}): Promise<GrowthBenchResult> {
  const config = o.config ?? loadConfig();
  const log = o.log ?? createLogger({ bench: 'growth' });
  const before = await loadAverage();
  const levels = await hotGrowth({ base: o.base ?? 10_000, levels: o.levels ?? [1, 4, 16], events: o.events ?? 10_000, archive: o.archive ?? 5_000 }, config, log);
  log.info('growth: KPI stage per-event cost and Redis memory');
  const kpi = await kpiCost(o.kpiOrders ?? 50_000, config, log);
  const first = levels[0] as GrowthLevel;
  const last = levels[levels.length - 1] as GrowthLevel;
  return {
    base: o.base ?? 10_000,
    levels,
    ingest_ratio_largest_to_1x: round(last.ingest.ratio_to_reference / first.ingest.ratio_to_reference, 2),
    archive_ratio_largest_to_1x: round(last.archive.ratio_to_reference / first.archive.ratio_to_reference, 2),
    kpi,
    load_average: { before, after: await loadAverage() },
    hot_store: config.mongoExternal ? config.mongoUrl.replace(/\/\/[^@]*@/, '//') : 'FerretDB (local)',
  };
}

const USAGE = `Usage: npx tsx bench/growth.ts [options]

How cost grows: ingest and archive-move rates with 1×, 4×, 16× base orders already in the hot
store, the KPI stage's per-event cost and Redis memory per order; prints one JSON object.
Needs the stack: npm run stack -- up.

  --base N         orders in the hot store at 1× (default 10000)
  --levels a,b,c   multiples of base (default 1,4,16)
  --events N       events ingested per level (default 10000)
  --archive N      orders archived per level (default 5000)
  --kpi-orders N   orders through aggregate for the KPI cost (default 50000)
  -h, --help       this text`;

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const cli = commandLine({
    usage: USAGE,
    options: {
      base: { type: 'number', min: 1, integer: true },
      levels: { type: 'list', value: 'a list of multiples, e.g. --levels 1,4,16' },
      events: { type: 'number', min: BATCH, integer: true },
      archive: { type: 'number', min: 1, integer: true },
      'kpi-orders': { type: 'number', min: BATCH, integer: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  const levels = parseOrExit(USAGE, () => v.levels?.map((r) => cli.number('--levels', r, { min: 1 })), () => false);
  runGrowthBench({ base: v.base, levels, events: v.events, archive: v.archive, kpiOrders: v['kpi-orders'] }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      createLogger({ bench: 'growth' }).error('growth benchmark failed; is the stack up? (npm run stack -- status)', { err });
      process.exit(1);
    },
  );
}
