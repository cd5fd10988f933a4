/**
 * Ingest benchmark (issue 2, item 8). In one run, on the same store:
 *   1. produce M seeded generator events to a fresh `orders` topic (4 partitions);
 *   2. end to end Kafka → facts through the real runtime (gateway + Kafka connector + the ingest
 *      function as its own process), or, with mode "core", through the ingest core driven by an
 *      in-process kafkajs consumer; events/s (overall and steady state 10 %→90 %), and the CPU
 *      time of the function process per event (/proc/<pid>/stat utime+stime);
 *   3. the raw insertMany rate (ordered:false) of the same fact documents into a fresh collection
 *      with the same unique index, at the pipeline's batch size and concurrency (and at 1);
 *   4. the raw bulkWrite upsert rate ($setOnInsert by order_id), time-boxed;
 *   5. ingest's own writes (registry entries, facts, first-seen dimensions) through the same
 *      adapter with no CPU work, at concurrency 1 and 4: their best over the best raw insertMany
 *      is `store_bound_ratio`, the highest ratio ingest can reach on this store;
 * then prints one JSON object. `npx tsx bench/ingest.ts [--events N] [--mode pipeline|core]
 * [--batch N] [--seed S] [--help]`. Needs the stack: `npm run stack -- up`.
 */
import { readFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { loadConfig, ROOT, type Config } from '../shared/platform/config.ts';
import { canonicalJson, sha256Hex } from '../shared/contract/canonical.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import { validateOrder } from '../shared/contract/validate.ts';
import { deliveredBatch, recordFromKafka } from '../shared/delivery/wire.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { createDimCache } from '../shared/ingest/dim-cache.ts';
import { buildFact, customerRow, productRow } from '../shared/ingest/documents.ts';
import { ingestBatch } from '../shared/ingest/ingest.ts';
import { createMongoStore } from '../shared/ingest/adapters/mongo-store.ts';
import type { DimensionRows, FactDoc } from '../shared/ingest/types.ts';
import { createKafka, createSink } from '../shared/adapters/kafka.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { COLLECTIONS, connectMongo, ensureSchema, type MongoHandle } from '../shared/adapters/mongo.ts';
import { createTopic, deleteTopics, produceRaw, suffix, withTimeout } from '../tests/corpus/kafka-io.ts';

export interface IngestBenchOptions {
  /** Events to produce and ingest (default 100,000). */
  events?: number;
  seed?: number;
  /** "pipeline": real gateway + connector + function process (default); "core": in-process consumer. */
  mode?: 'pipeline' | 'core';
  /** Messages per invocation / insertMany batch (default 2000, as stack.yml). */
  batch?: number;
  /** Upper bound on the bulkWrite upsert measurement (docs and seconds). */
  bulkWriteDocs?: number;
  bulkWriteSeconds?: number;
  timeoutMs?: number;
  log?: Logger;
}

export interface IngestBenchResult {
  events: number;
  mode: 'pipeline' | 'core';
  batch: number;
  partitions: number;
  produce_events_per_s: number;
  ingest: {
    seconds: number;
    events_per_s: number;
    steady_events_per_s: number;
    cpu_us_per_event: number;
    cpu_process: string;
    facts: number;
  };
  raw_insert_many: { events_per_s: number; concurrency: number; by_concurrency: Record<string, number>; batch: number };
  raw_bulk_write_upsert: { events_per_s: number; docs: number; seconds: number };
  /** Ingest's own documents (registry entries + facts + first-seen customers/products; payments are on the fact) through the same adapter. */
  raw_same_writes: { events_per_s: number; documents_per_event: number; concurrency: number; /** Absent in results saved before 2026-12-02 noon (then measured at 4 writers only). */ by_concurrency?: Record<string, number> };
  ratio_ingest_to_raw_insert_many: number;
  ratio_ingest_to_same_writes: number;
  /**
   * Best raw_same_writes / best raw_insert_many: the ratio ingest would reach with no CPU cost at
   * all (no validation, hashing, Kafka), i.e. the store's bound on ratio_ingest_to_raw_insert_many
   * for ingest's documents (registry entry + fact + first-seen dimensions per event).
   */
  store_bound_ratio?: number;
  /** CPU µs of one JSON.parse of an event on this machine now (scale CPU figures by it). */
  calibration_json_parse_us: number;
  targets: { ratio: number; cpu_us_per_event: number; ratio_met: boolean; cpu_met: boolean };
  machine: { cpus: number; loadavg_1m_start: number; loadavg_1m_end: number; store: string };
}

const PARTITIONS = 4;

/** utime + stime of a process in microseconds (Linux /proc). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 is state; utime and stime are fields 14 and 15 (1-based) overall.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / 100; // USER_HZ is 100 on Linux
}

/** CPU µs per JSON.parse of these events (a yardstick for how fast this machine is right now). */
function parseCalibration(events: Buffer[]): number {
  const texts = events.slice(0, 20_000).map((b) => b.toString('utf8'));
  for (const t of texts) JSON.parse(t);
  const c = process.cpuUsage();
  for (const t of texts) JSON.parse(t);
  const u = process.cpuUsage(c);
  return (u.user + u.system) / texts.length;
}

function round(n: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

interface Progress {
  t10?: number;
  t90?: number;
}

function track(p: Progress, done: number, total: number, now: number): void {
  if (p.t10 === undefined && done >= total * 0.1) p.t10 = now;
  if (p.t90 === undefined && done >= total * 0.9) p.t90 = now;
}

export interface Docs {
  facts: FactDoc[];
  /** Per event: the dimension rows ingest writes for it (first sight of a customer / product). */
  dims: DimensionRows[];
}

/** The documents ingest writes for these events, built exactly as ingest builds them. */
export function documentsOf(events: Buffer[], maxBytes: number, at: Date): Docs {
  const seenC = new Set<string>();
  const seenP = new Set<string>();
  const facts: FactDoc[] = [];
  const dims: DimensionRows[] = [];
  for (const b of events) {
    const r = validateOrder(b, { maxBytes });
    if (!r.ok) throw new Error(`generator produced an invalid event: ${r.reason} ${r.detail}`);
    const ev = r.event;
    facts.push(buildFact(ev, r.timestampMs, sha256Hex(canonicalJson(ev)), at));
    const d: DimensionRows = { customers: [], products: [] };
    if (!seenC.has(ev.customer.customer_id)) {
      seenC.add(ev.customer.customer_id);
      d.customers.push(customerRow(ev));
    }
    if (!seenP.has(ev.product.product_id)) {
      seenP.add(ev.product.product_id);
      d.products.push(productRow(ev));
    }
    dims.push(d);
  }
  return { facts, dims };
}

/**
 * The store's ceiling for ingest's own writes: the same registry entries, facts and dimension documents written
 * through the same adapter (createMongoStore), batch by batch, `concurrency` batches at a time,
 * without validation, hashing or Kafka.
 */
export async function rawSameWrites(h: MongoHandle, docs: Docs, batch: number, concurrency: number): Promise<number> {
  await ensureSchema(h.db);
  const store = createMongoStore(h.db);
  const n = docs.facts.length;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const from = next;
        next += batch;
        const to = Math.min(from + batch, n);
        await store.registerOrders(docs.facts.slice(from, to).map((f) => ({ order_id: f.order_id, content_hash: f.content_hash })));
        await store.insertFacts(docs.facts.slice(from, to).map((f) => ({ ...f })));
        const rows: DimensionRows = { customers: [], products: [] };
        for (let i = from; i < to; i++) {
          const d = docs.dims[i]!;
          rows.customers.push(...d.customers);
          rows.products.push(...d.products);
        }
        await store.insertDimensions(rows);
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

export async function rawInsertMany(h: MongoHandle, docs: FactDoc[], batch: number, concurrency: number): Promise<number> {
  const coll = h.db.collection<FactDoc>(`raw_insert_c${concurrency}`);
  await coll.createIndexes([{ key: { order_id: 1 }, name: 'order_id_unique', unique: true }]);
  await coll.createIndexes([{ key: { order_timestamp: 1 }, name: 'order_timestamp' }]);
  const copies = docs.map((d) => ({ ...d }));
  const chunks: FactDoc[][] = [];
  for (let i = 0; i < copies.length; i += batch) chunks.push(copies.slice(i, i + batch));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) {
        const c = chunks[next++]!;
        await coll.insertMany(c, { ordered: false });
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  if ((await coll.estimatedDocumentCount()) !== docs.length) throw new Error('raw insertMany lost documents');
  return docs.length / s;
}

/**
 * bulkWrite upserts in chunks of at most 100 so the time box is honoured: on FerretDB an upsert
 * looks its filter up by scanning the collection, so its cost grows with the collection.
 */
async function rawBulkUpsert(h: MongoHandle, docs: FactDoc[], batch: number, maxDocs: number, maxSeconds: number): Promise<{ eps: number; docs: number; seconds: number }> {
  const coll = h.db.collection<FactDoc>('raw_bulk_upsert');
  await coll.createIndexes([{ key: { order_id: 1 }, name: 'order_id_unique', unique: true }]);
  const t0 = performance.now();
  let n = 0;
  batch = Math.min(batch, 100);
  for (let i = 0; i < Math.min(docs.length, maxDocs); i += batch) {
    const chunk = docs.slice(i, Math.min(i + batch, maxDocs));
    await coll.bulkWrite(
      chunk.map((d) => ({ updateOne: { filter: { order_id: d.order_id }, update: { $setOnInsert: { ...d } }, upsert: true } })),
      { ordered: false },
    );
    n += chunk.length;
    if ((performance.now() - t0) / 1000 > maxSeconds) break;
  }
  const s = (performance.now() - t0) / 1000;
  return { eps: n / s, docs: n, seconds: s };
}

async function runPipeline(config: Config, ctx: { db: string; topics: { orders: string; dlq: string; accepted: string }; dir: string; batch: number; total: number; timeoutMs: number; id: string; log: Logger }): Promise<{ seconds: number; steady: number; cpuUs: number }> {
  const { startPipeline } = await import('../dev/local/pipeline.ts');
  const stackFile = path.join(ctx.dir, 'stack.yml');
  writeFileSync(
    stackFile,
    [
      'version: 1.0',
      'provider:',
      '  name: openfaas',
      '  gateway: http://127.0.0.1:8080',
      'functions:',
      '  ingest:',
      '    lang: node24-ts',
      `    handler: ${path.join(ROOT, 'functions', 'ingest')}`,
      '    image: orderpulse/ingest:bench',
      '    annotations:',
      `      topic: ${ctx.topics.orders}`,
      '      orderpulse.dev/delivery: batch',
      `      orderpulse.dev/batch-max-messages: "${ctx.batch}"`,
      '      orderpulse.dev/batch-max-bytes: "8388608"',
      '    environment:',
      '      exec_timeout: 120s',
      '',
    ].join('\n'),
  );
  // The function process is ready before the connector subscribes, and joining the consumer
  // group takes a moment more: t0 (and the CPU baseline) taken when startPipeline resolves
  // exclude the function's start-up, not its first connection to MongoDB and Kafka.
  const p = await startPipeline({
    stackFile,
    env: { MONGO_DB: ctx.db, TOPIC_ORDERS: ctx.topics.orders, TOPIC_DLQ: ctx.topics.dlq, TOPIC_ACCEPTED: ctx.topics.accepted, LOG_LEVEL: process.env.BENCH_FUNCTION_LOG_LEVEL ?? 'warn' },
    gatewayPort: 0,
    kafka: { groupPrefix: `bench-ingest-${ctx.id}-`, ensureStandardTopics: false },
    cron: false,
    dashboard: false,
    log: ctx.log,
  });
  try {
    const t0 = performance.now();
    const pid = p.pids().ingest;
    if (!pid) throw new Error('ingest function process did not start');
    const cpu0 = processCpuMicros(pid);
    const prog: Progress = {};
    const deadline = Date.now() + ctx.timeoutMs;
    let done = 0;
    let lastLog = 0;
    while (done < ctx.total) {
      if (Date.now() > deadline) throw new Error(`pipeline delivered ${done}/${ctx.total} within ${ctx.timeoutMs} ms`);
      await sleep(100);
      done = p.kafka?.stats().ingest?.messages ?? 0;
      const now = performance.now();
      track(prog, done, ctx.total, now);
      if (now - lastLog > 5000) {
        lastLog = now;
        ctx.log.info('ingest progress', { done, total: ctx.total, eps: Math.round(done / ((now - t0) / 1000)) });
      }
    }
    const t1 = performance.now();
    if (p.pids().ingest !== pid) throw new Error('the ingest process restarted during the benchmark; CPU figure would be wrong');
    const cpuUs = processCpuMicros(pid) - cpu0;
    return { seconds: (t1 - t0) / 1000, steady: (0.8 * ctx.total) / (((prog.t90 ?? t1) - (prog.t10 ?? t0)) / 1000), cpuUs };
  } finally {
    await p.stop();
  }
}

async function runCore(kafka: Kafka, config: Config, h: MongoHandle, ctx: { topics: { orders: string; dlq: string; accepted: string }; batch: number; total: number; timeoutMs: number; id: string }): Promise<{ seconds: number; steady: number; cpuUs: number }> {
  const sink = await createSink(kafka);
  const store = createMongoStore(h.db);
  const dimCache = createDimCache();
  const consumer = kafka.consumer({ groupId: `bench-ingest-core-${ctx.id}`, maxBytesPerPartition: 8 * 1024 * 1024, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: ctx.topics.orders, fromBeginning: true });
  let done = 0;
  const prog: Progress = {};
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        consumer
          .run({
            partitionsConsumedConcurrently: PARTITIONS,
            eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
              for (let i = 0; i < batch.messages.length; i += ctx.batch) {
                const slice = batch.messages.slice(i, i + ctx.batch);
                // The decoded delivery a function would get (the wire's cost is in the function path's figures).
                await ingestBatch(deliveredBatch(batch.topic, batch.partition, slice.map(recordFromKafka)), { store, sink, topics: { dlq: ctx.topics.dlq, accepted: ctx.topics.accepted }, maxEventBytes: config.maxEventBytes, dimCache });
                resolveOffset(slice[slice.length - 1]!.offset);
                await heartbeat();
                done += slice.length;
                track(prog, done, ctx.total, performance.now());
                if (done >= ctx.total) resolve();
              }
            },
          })
          .catch(reject);
      }),
      ctx.timeoutMs,
      'core ingest',
    );
    const t1 = performance.now();
    const u = process.cpuUsage(cpu0);
    return { seconds: (t1 - t0) / 1000, steady: (0.8 * ctx.total) / (((prog.t90 ?? t1) - (prog.t10 ?? t0)) / 1000), cpuUs: u.user + u.system };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await sink.close().catch(() => undefined);
  }
}

export async function benchIngest(opts: IngestBenchOptions = {}): Promise<IngestBenchResult> {
  const config = loadConfig();
  const log = opts.log ?? createLogger({ bench: 'ingest' });
  const total = opts.events ?? 100_000;
  const batch = opts.batch ?? 2000;
  const mode = opts.mode ?? 'pipeline';
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const id = suffix();
  const dbName = `bench_ingest_${id}`;
  const rawDbName = `bench_ingest_raw_${id}`;
  const topics = { orders: `bench-ingest-${id}-orders`, dlq: `bench-ingest-${id}-dlq`, accepted: `bench-ingest-${id}-accepted` };
  const dir = path.join(config.localDir, 'tmp', `bench-ingest-${id}`);
  mkdirSync(dir, { recursive: true });
  const load0 = os.loadavg()[0]!;

  const kafka = createKafka(config, `bench-ingest-${id}`, log.child({ component: 'kafkajs' }));
  const admin: Admin = kafka.admin();
  await admin.connect();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const h = await connectMongo(config, dbName);
  const raw = await connectMongo(config, rawDbName);
  const same = await connectMongo(config, `${rawDbName}_same`);
  const same1 = await connectMongo(config, `${rawDbName}_same1`);
  try {
    await ensureSchema(h.db);
    await createTopic(admin, topics.orders, PARTITIONS);
    await createTopic(admin, topics.dlq, 1);
    await createTopic(admin, topics.accepted, PARTITIONS);
    await producer.connect();

    log.info('generating', { events: total, seed: opts.seed ?? 1 });
    const g = createGenerator({ seed: opts.seed ?? 1, start: '2024-05-01T00:00:00Z', eventRate: 500 });
    const events: OrderEvent[] = Array.from({ length: total }, () => g.next());
    const bytes = events.map(encodeEventBuffer);
    const tp = performance.now();
    await produceRaw(producer, topics.orders, events.map((e, i) => ({ key: e.order_id, bytes: bytes[i]! })), { maxBytes: 1024 * 1024 });
    const produceEps = total / ((performance.now() - tp) / 1000);
    log.info('produced', { events: total, eps: Math.round(produceEps) });

    const r = mode === 'pipeline' ? await runPipeline(config, { db: dbName, topics, dir, batch, total, timeoutMs, id, log }) : await runCore(kafka, config, h, { topics, batch, total, timeoutMs, id });
    const facts = await h.db.collection(COLLECTIONS.fact).estimatedDocumentCount();
    if (facts !== total) throw new Error(`expected ${total} facts, found ${facts}`);
    log.info('ingested', { seconds: round(r.seconds), eps: Math.round(total / r.seconds) });

    const docs = documentsOf(bytes, config.maxEventBytes, new Date());
    const byConcurrency: Record<string, number> = {};
    for (const c of [1, PARTITIONS]) {
      byConcurrency[String(c)] = round(await rawInsertMany(raw, docs.facts, batch, c));
      log.info('raw insertMany', { concurrency: c, eps: byConcurrency[String(c)] });
    }
    const best = Object.entries(byConcurrency).sort((a, b) => b[1] - a[1])[0]!;
    // Both concurrencies, each into its own fresh database (the registry would see the first run's ids).
    const sameByConcurrency: Record<string, number> = {};
    for (const [c, handle] of [[1, same1], [PARTITIONS, same]] as const) {
      sameByConcurrency[String(c)] = round(await rawSameWrites(handle, docs, batch, c));
      log.info('raw same writes', { concurrency: c, eps: sameByConcurrency[String(c)] });
    }
    const bestSame = Object.entries(sameByConcurrency).sort((a, b) => b[1] - a[1])[0]!;
    const sameWrites = bestSame[1];
    const docsPerEvent = (2 * docs.facts.length + docs.dims.reduce((a, d) => a + d.customers.length + d.products.length, 0)) / docs.facts.length;
    log.info('raw same writes, best', { eps: Math.round(sameWrites), docsPerEvent });
    const bulk = await rawBulkUpsert(raw, docs.facts, batch, opts.bulkWriteDocs ?? 20_000, opts.bulkWriteSeconds ?? 30);
    log.info('raw bulkWrite upsert', { docs: bulk.docs, eps: Math.round(bulk.eps) });

    const eps = total / r.seconds;
    const cpuPerEvent = r.cpuUs / total;
    const ratio = eps / best[1];
    return {
      events: total,
      mode,
      batch,
      partitions: PARTITIONS,
      produce_events_per_s: round(produceEps),
      ingest: { seconds: round(r.seconds, 2), events_per_s: round(eps), steady_events_per_s: round(r.steady), cpu_us_per_event: round(cpuPerEvent, 2), cpu_process: mode === 'pipeline' ? 'ingest function process (/proc/<pid>/stat)' : 'bench process (consumer + core)', facts },
      raw_insert_many: { events_per_s: best[1], concurrency: Number(best[0]), by_concurrency: byConcurrency, batch },
      raw_bulk_write_upsert: { events_per_s: round(bulk.eps), docs: bulk.docs, seconds: round(bulk.seconds, 2) },
      raw_same_writes: { events_per_s: round(sameWrites), documents_per_event: round(docsPerEvent, 2), concurrency: Number(bestSame[0]), by_concurrency: sameByConcurrency },
      ratio_ingest_to_raw_insert_many: round(ratio, 3),
      ratio_ingest_to_same_writes: round(eps / sameWrites, 3),
      store_bound_ratio: round(sameWrites / best[1], 3),
      calibration_json_parse_us: round(parseCalibration(bytes), 2),
      targets: { ratio: 0.8, cpu_us_per_event: 20, ratio_met: ratio >= 0.8, cpu_met: cpuPerEvent <= 20 },
      machine: { cpus: os.cpus().length, loadavg_1m_start: round(load0, 2), loadavg_1m_end: round(os.loadavg()[0]!, 2), store: config.mongoExternal ? 'MONGO_URL' : 'FerretDB v1.24.2 (SQLite)' },
    };
  } finally {
    await h.db.dropDatabase().catch(() => undefined);
    await raw.db.dropDatabase().catch(() => undefined);
    await same.db.dropDatabase().catch(() => undefined);
    await same.close().catch(() => undefined);
    await same1.db.dropDatabase().catch(() => undefined);
    await same1.close().catch(() => undefined);
    await h.close().catch(() => undefined);
    await raw.close().catch(() => undefined);
    await deleteTopics(admin, Object.values(topics)).catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const USAGE = `Usage: npx tsx bench/ingest.ts [options]

Ingest end to end against raw driver writes; prints one JSON object.
Needs the stack: npm run stack -- up.

  --events N               events to produce and ingest (default 100000)
  --mode pipeline|core     real gateway + connector + function process (default), or in-process consumer
  --batch N                messages per invocation / insertMany batch (default 2000)
  --seed S                 generator seed (default 1)
  -h, --help               this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    events: { type: 'number', min: 1, integer: true },
    mode: { type: 'choice', choices: ['pipeline', 'core'] },
    batch: { type: 'number', min: 1, integer: true },
    seed: { type: 'number', min: 0, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

function parseArgs(argv: string[]): IngestBenchOptions {
  const { values: v } = cli.parseOrExit(argv);
  return { events: v.events, batch: v.batch, seed: v.seed, mode: v.mode };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchIngest(parseArgs(process.argv.slice(2))).then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (err: unknown) => {
      createLogger({ bench: 'ingest' }).error('benchmark failed (is the stack up? npm run stack -- status)', { err });
      process.exitCode = 1;
    },
  );
}
