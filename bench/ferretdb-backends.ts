/**
 * FerretDB on SQLite against FerretDB on PostgreSQL (issue 10 item 5), in one run, each a PRIVATE
 * instance on its own ports and data (dev/stack/own-service.ts; the shared FerretDB is never
 * touched), the same work on both, one after the other:
 *   1. raw insertMany of N generator facts (ordered:false, batches of 2,000): documents/s;
 *   2. our ingest core (shared/ingest ingestBatch with the MongoDB store, batches of 2,000; the
 *      Kafka sends go to a counting sink, so only the store differs): events/s;
 *   3. reads by id: findOne({_id}) of random facts, one after the other: reads/s;
 *   4. deletes: by id list (deleteMany `_id $in` 1,000 at a time) and one by one (deleteOne by _id);
 *   5. size on disk after 1 + 2 (SQLite: the data directory's files; PostgreSQL:
 *      pg_database_size of the FerretDB database) and FerretDB's logical size (dbStats dataSize);
 *   6. archive-move of M orders (bench/archive.ts, local Parquet directory): orders/s and the hot
 *      store's share of its time.
 * Prints one JSON object with both and the ratio postgresql / sqlite of every rate (> 1: PostgreSQL faster).
 * `npx tsx bench/ferretdb-backends.ts [--orders N] [--reads N] [--archive-orders N]`; `npm run bench -- --only ferretdb-backends`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { connectMongo, ensureSchema } from '../shared/adapters/mongo.ts';
import type { MessageSink } from '../shared/adapters/kafka.ts';
import { deliveredBatch, type KafkaRecord } from '../shared/delivery/wire.ts';
import { ingestBatch } from '../shared/ingest/ingest.ts';
import { createMongoStore } from '../shared/ingest/adapters/mongo-store.ts';
import { createDimCache } from '../shared/ingest/dim-cache.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { startOwnService } from '../dev/stack/own-service.ts';
import { run } from '../dev/stack/proc.ts';
import { runArchiveBench } from './archive.ts';

export type FerretBackend = 'sqlite' | 'postgresql';

export interface BackendFigures {
  backend: FerretBackend;
  start_ms: number;
  insert_many_docs_per_s: number;
  ingest_events_per_s: number;
  read_by_id_per_s: number;
  delete_by_id_list_per_s: number;
  delete_one_by_id_per_s: number;
  /** Bytes on disk after the inserts and the ingest (see header). */
  disk_bytes: number;
  /** dbStats dataSize after the same. */
  logical_bytes: number;
  archive_orders_per_s: number;
  archive_hot_store_share: number;
}

export interface FerretdbBackendsResult {
  orders: number;
  reads: number;
  archive_orders: number;
  load_avg: number[];
  backends: BackendFigures[];
  /** postgresql / sqlite per rate (> 1: PostgreSQL faster), and per size (< 1: PostgreSQL smaller). */
  ratio_pg_to_sqlite: Record<string, number>;
  faster: FerretBackend | 'mixed';
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
const rate = (n: number, ms: number): number => Math.round(n / (ms / 1000));

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? await dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return n;
}

/** A sink that only counts (the Kafka sends are not what is compared). */
function countingSink(): MessageSink & { sent: number } {
  return {
    sent: 0,
    async send(_topic, messages) {
      this.sent += messages.length;
    },
  };
}

async function benchOne(backend: FerretBackend, base: Config, opts: { orders: number; reads: number; archiveOrders: number }, log: Logger): Promise<BackendFigures> {
  let t = performance.now();
  const own = await startOwnService('ferretdb', { ...base, ferretdbBackend: backend }, log);
  const startMs = Math.round(performance.now() - t);
  const config: Config = { ...base, mongoUrl: own.env.MONGO_URL!, mongoExternal: true, ferretdbBackend: backend };
  try {
    const h = await connectMongo(config, 'bench_backends');
    try {
      // 1. raw insertMany of the fact documents.
      const facts = generatedFixtures(opts.orders, 3).map((f) => ({ ...f.fact }));
      const raw = h.db.collection('raw_facts');
      t = performance.now();
      for (let i = 0; i < facts.length; i += 2000) await raw.insertMany(facts.slice(i, i + 2000), { ordered: false });
      const insertMs = performance.now() - t;

      // 2. the ingest core, store only.
      await ensureSchema(h.db);
      const store = createMongoStore(h.db);
      const sink = countingSink();
      const dimCache = createDimCache();
      const g = createGenerator({ seed: 4, start: '2024-05-01T00:00:00Z', eventRate: 500 });
      const records: KafkaRecord[] = Array.from({ length: opts.orders }, (_, i) => {
        const e = g.next();
        return { offset: String(i), key: Buffer.from(e.order_id), value: encodeEventBuffer(e), timestamp: String(Date.now()), headers: [] };
      });
      t = performance.now();
      for (let i = 0; i < records.length; i += 2000) {
        await ingestBatch(deliveredBatch('orders', 0, records.slice(i, i + 2000)), { store, sink, topics: { dlq: 'orders.dlq', accepted: 'orders.accepted' }, maxEventBytes: config.maxEventBytes, dimCache });
      }
      const ingestMs = performance.now() - t;

      // 5. sizes after 1 + 2.
      const stats = await h.db.command({ dbStats: 1 });
      const disk = backend === 'sqlite' ? await dirBytes(path.join(own.ctx.dir, 'data')) : await pgDatabaseBytes(own.env.POSTGRES_PORT!);

      // 3. reads by id, one after the other.
      const ids = (await raw.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
      const pick = Array.from({ length: Math.min(opts.reads, ids.length) }, (_, i) => ids[(i * 7919) % ids.length]!);
      t = performance.now();
      for (const id of pick) if (!(await raw.findOne({ _id: id }))) throw new Error(`read by id: ${String(id)} missing`);
      const readMs = performance.now() - t;

      // 4. deletes: by id list, then one by one (other ids).
      const list = ids.slice(0, Math.min(5000, Math.floor(ids.length / 2)));
      t = performance.now();
      let deleted = 0;
      for (let i = 0; i < list.length; i += 1000) deleted += (await raw.deleteMany({ _id: { $in: list.slice(i, i + 1000) } })).deletedCount;
      const listMs = performance.now() - t;
      if (deleted !== list.length) throw new Error(`deleted ${deleted} of ${list.length}`);
      const ones = ids.slice(list.length, list.length + Math.min(opts.reads, 500));
      t = performance.now();
      for (const id of ones) await raw.deleteOne({ _id: id });
      const oneMs = performance.now() - t;

      // 6. archive-move (its own database on this instance).
      const arch = await runArchiveBench({ orders: opts.archiveOrders, backends: ['local'], config });
      const b = arch.backends[0]!;
      return {
        backend,
        start_ms: startMs,
        insert_many_docs_per_s: rate(facts.length, insertMs),
        ingest_events_per_s: rate(records.length, ingestMs),
        read_by_id_per_s: rate(pick.length, readMs),
        delete_by_id_list_per_s: rate(list.length, listMs),
        delete_one_by_id_per_s: rate(ones.length, oneMs),
        disk_bytes: disk,
        logical_bytes: Number(stats.dataSize ?? 0),
        archive_orders_per_s: b.orders_per_s,
        archive_hot_store_share: b.time_share.hot_store_share,
      };
    } finally {
      await h.close();
    }
  } finally {
    await own.close();
  }
}

async function pgDatabaseBytes(port: string): Promise<number> {
  const r = await run('psql', ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-d', 'postgres', '-tAc', "SELECT pg_database_size('ferretdb')"], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`pg_database_size failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

export async function runFerretdbBackendsBench(opts: { orders?: number; reads?: number; archiveOrders?: number; config?: Config; log?: Logger } = {}): Promise<FerretdbBackendsResult> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ bench: 'ferretdb-backends' }, () => undefined);
  const o = { orders: opts.orders ?? 20_000, reads: opts.reads ?? 500, archiveOrders: opts.archiveOrders ?? 20_000 };
  const backends: BackendFigures[] = [];
  for (const b of ['sqlite', 'postgresql'] as const) backends.push(await benchOne(b, config, o, log));
  const [s, p] = backends as [BackendFigures, BackendFigures];
  const keys = ['insert_many_docs_per_s', 'ingest_events_per_s', 'read_by_id_per_s', 'delete_by_id_list_per_s', 'delete_one_by_id_per_s', 'archive_orders_per_s', 'disk_bytes', 'logical_bytes'] as const;
  const ratio = Object.fromEntries(keys.map((k) => [k, round(p[k] / s[k])]));
  const speed = keys.filter((k) => k.endsWith('_per_s')).map((k) => ratio[k]!);
  const { loadavg } = await import('node:os');
  return {
    orders: o.orders,
    reads: o.reads,
    archive_orders: o.archiveOrders,
    load_avg: loadavg().map((x) => round(x, 2)),
    backends,
    ratio_pg_to_sqlite: ratio,
    faster: speed.every((r) => r > 1) ? 'postgresql' : speed.every((r) => r < 1) ? 'sqlite' : 'mixed',
  };
}

const USAGE = `Usage: npx tsx bench/ferretdb-backends.ts [options]

FerretDB on SQLite vs on PostgreSQL (private instances): inserts, our ingest core, reads and
deletes by id, size on disk, archive-move; prints one JSON object.

  --orders N           facts inserted and events ingested per backend (default 20000)
  --reads N            reads by id (and deleteOne calls, at most 500) per backend (default 500)
  --archive-orders N   orders archived per backend (default 20000)
  -h, --help           this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    orders: { type: 'number', min: 1, integer: true },
    reads: { type: 'number', min: 1, integer: true },
    'archive-orders': { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  runFerretdbBackendsBench({ orders: v.orders, reads: v.reads, archiveOrders: v['archive-orders'] })
    .then((r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`ferretdb-backends bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
