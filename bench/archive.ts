/**
 * Archive benchmark (issue 4, item 7). For each backend (the local directory always; WebHDFS +
 * Hive Metastore when they answer), in one run:
 *   1. seed N realistic orders (generator events → ingest's fact and dimension documents) into a
 *      fresh MongoDB database;
 *   2. archive them all with the real move core (freeze → write → verify → register → delete):
 *      orders/s and MB/s (Parquet bytes per second), with the time of every step;
 *   3. write the same Parquet bytes to the same storage with plain put() calls: the raw write rate;
 *   4. compare the Parquet bytes with the hot store's bytes for the same orders (orders_fact data +
 *      index bytes freed by the move, from collStats).
 *   5. where the move's time went (issue 10 item 5): every port call is timed (bench/busy-time.ts),
 *      so the hot store's share (reads, archive marks, deletes, manifest) is reported beside the
 *      storage, the catalog, Parquet encoding and the rest (decode/verify, denormalising).
 *   6. the hot store's floor: a fresh seed of the same N orders, then only the work no move can
 *      avoid, timed: read each order once with the cheapest read (an unsorted `limit`) and delete
 *      them by `_id` sub-ranges of the move's size (shared/archive/testing/floor.ts); each
 *      backend's `ratio_to_floor` = its rate / the floor's. Measured after the backends (so the
 *      moves meet the same fresh server as without it), once by default; `--floor-runs K` measures
 *      it K times and takes the fastest, since a busy machine only ever makes a run slower.
 * The facts get ObjectIds from a day ago (orders ingested long ago, as archived in production; the
 * range delete needs them older than its margin); `--fresh-ids` keeps the driver's, so every batch
 * is deleted by id list instead. `--own-ferretdb` runs a private FerretDB (own port and data) so
 * the figures do not include other clients of the shared one.
 * Prints one JSON object. `npx tsx bench/archive.ts [--orders N] [--batch N] [--seed S] [--backends local,webhdfs] [--fresh-ids] [--own-ferretdb] [--floor-runs K] [--help]`.
 * Needs the stack: `npm run stack -- up` (and `up --all` for HDFS + Hive).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { connectMongo } from '../shared/adapters/mongo.ts';
import { sizeFacts } from '../shared/archive/check.ts';
import { openArchiveBackends, type ArchiveBackends } from '../shared/archive/adapters/factory.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { toArchiveRow } from '../shared/archive/denormalise.ts';
import type { FactDoc } from '../shared/archive/hot-store.ts';
import type { BatchManifest } from '../shared/archive/manifest.ts';
import type { HiveCatalog } from '../shared/archive/adapters/metastore/catalog.ts';
import { DEFAULT_DELETE_CHUNK, runMove } from '../shared/archive/move.ts';
import { DEFAULT_CODEC, decodeArchiveFile, encodeArchiveFile } from '../shared/archive/parquet.ts';
import { listArchiveFiles } from '../shared/archive/reader.ts';
import { openArchiveRuntime } from '../shared/archive/adapters/open.ts';
import type { ArchiveTarget } from '../shared/archive/table.ts';
import type { FactFixture } from '../shared/archive/testing/facts.ts';
import { measureHotStoreFloor, type HotStoreFloor } from '../shared/archive/testing/floor.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import { seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import type { MoveDeps } from '../shared/archive/move.ts';
import { startOwnService } from '../dev/stack/own-service.ts';
import { BusyClock, timed } from './busy-time.ts';

export type BenchBackend = 'local' | 'webhdfs';

export interface ArchiveBenchOptions {
  /** Orders seeded and archived per backend (default 50 000). */
  orders?: number;
  /** archive-move's batch size (default 50 000: one batch). */
  batch?: number;
  seed?: number;
  /** Default: local, plus webhdfs when WebHDFS and the metastore answer. */
  backends?: BenchBackend[];
  config?: Config;
  /** Keep the driver's ObjectIds (now): batches are deleted by id list, not by range. */
  freshIds?: boolean;
  /** Run against a private FerretDB instance (dev/stack/own-service.ts) instead of the configured server. */
  ownFerretdb?: boolean;
  /** Floor measurements (default 1); the fastest is the floor. */
  floorRuns?: number;
}

/** Seconds during which calls of each kind were in flight (overlapping calls counted once). */
export interface TimeShare {
  total_s: number;
  /** Any hot-store call: reads + marks + deletes + manifest/lease. */
  hot_store_s: number;
  /** oldestFacts, loadFacts, loadDims, countPresent, readSize. */
  hot_reads_s: number;
  /** claimArchived (order_ids_archived inserts). */
  hot_marks_s: number;
  /** deleteRange / deleteOrders. */
  hot_deletes_s: number;
  /** archive_manifest steps and the move lease. */
  hot_manifest_s: number;
  /** Parquet files: put, get, exists, list. */
  storage_s: number;
  catalog_s: number;
  /** Parquet encoding (write step; it runs while the archive marks are inserted, so it may overlap hot_marks_s). */
  parquet_encode_s: number;
  /** Everything else: decoding and comparing in verify, denormalising, hashing (the time no port call or encoding covered). */
  rest_s: number;
  /** hot_store_s / total_s. */
  hot_store_share: number;
}

export interface BackendResult {
  backend: string;
  orders: number;
  batches: number;
  files: number;
  seconds: number;
  orders_per_s: number;
  parquet_mb: number;
  /** Parquet MB archived per second, end to end (MongoDB reads and deletes included). */
  mb_per_s: number;
  /** Time per step, summed over batches (freeze includes the MongoDB scan of the oldest orders). */
  steps_s: { freeze: number; write: number; verify: number; register: number; delete: number };
  /** The write step split: dimension (and, on resume, fact) reads from MongoDB, Parquet encoding, storage puts. */
  write_s: { load: number; encode: number; store: number };
  /** Parquet MB per second over encode + store + verify + register (the archive side, without MongoDB). */
  archive_side_mb_per_s: number;
  raw_write: { seconds: number; mb_per_s: number };
  /** mb_per_s / raw_write.mb_per_s (target ≥ 0.5). */
  throughput_ratio: number;
  /** archive_side_mb_per_s / raw_write.mb_per_s. */
  archive_side_ratio: number;
  hot_bytes: number;
  hot_bytes_per_order: number;
  parquet_bytes_per_order: number;
  /** hot_bytes / parquet bytes (target ≥ 4). */
  size_ratio: number;
  seed_s: number;
  /** How the batches left the hot store: by `_id` range (one pass) or by id list. */
  delete_path: 'range' | 'ids' | 'mixed';
  time_share: TimeShare;
  /** orders_per_s / targets.orders_per_s. */
  orders_ratio: number;
  /** orders_per_s / hot_store_floor.orders_per_s (1.0 = the move costs no more than reading and deleting the orders). */
  ratio_to_floor: number;
}

/** HotStoreFloor (shared/archive/testing/floor.ts) and the floor against the orders/s target. */
export interface ArchiveFloorResult extends HotStoreFloor {
  /** orders_per_s / targets.orders_per_s: above 1 only if the store itself can meet the target. */
  target_ratio: number;
  /** Orders per delete sub-range (the move's default). */
  range_chunk: number;
  /** orders_per_s of every floor measurement, in order (all after the backends). */
  runs_orders_per_s: number[];
}

export interface ArchiveBenchResult {
  orders: number;
  batch: number;
  codec: string;
  hot_store: string;
  /** In-process Parquet codec speed on the same rows (no I/O). */
  codec_rows_per_s: { encode: number; decode: number };
  /** The hot store's unavoidable work for the same orders, measured in the same run. */
  hot_store_floor: ArchiveFloorResult;
  backends: BackendResult[];
  skipped: Record<string, string>;
  targets: { throughput_ratio: number; size_ratio: number; orders_per_s: number };
}

const HOT_CATEGORY: Record<string, string> = {
  oldestFacts: 'hot.reads',
  loadFacts: 'hot.reads',
  loadDims: 'hot.reads',
  countPresent: 'hot.reads',
  readSize: 'hot.reads',
  claimArchived: 'hot.marks',
  deleteOrders: 'hot.deletes.ids',
  deleteRange: 'hot.deletes.range',
};

/** The move's ports, each call timed on `clock`. */
function timedDeps(deps: MoveDeps, clock: BusyClock): MoveDeps {
  return {
    ...deps,
    hot: timed(deps.hot, clock, (m) => HOT_CATEGORY[m] ?? 'hot.reads'),
    manifests: timed(deps.manifests, clock, () => 'hot.manifest'),
    lock: timed(deps.lock, clock, () => 'hot.manifest'),
    storage: timed(deps.storage, clock, (m) => (m === 'describe' || m === 'locationOf' ? 'cpu' : 'storage')),
    catalog: timed(deps.catalog, clock, (m) => (m === 'describe' ? 'cpu' : 'catalog')),
  };
}

function timeShare(clock: BusyClock, totalS: number): TimeShare {
  const s = (cats: string[]): number => clock.busyMs(cats) / 1000;
  const hotCats = ['hot.reads', 'hot.marks', 'hot.deletes.ids', 'hot.deletes.range', 'hot.manifest'];
  const hot = s(hotCats);
  const accounted = s([...hotCats, 'storage', 'catalog', 'encode']);
  return {
    total_s: round(totalS),
    hot_store_s: round(hot),
    hot_reads_s: round(s(['hot.reads'])),
    hot_marks_s: round(s(['hot.marks'])),
    hot_deletes_s: round(s(['hot.deletes.ids', 'hot.deletes.range'])),
    hot_manifest_s: round(s(['hot.manifest'])),
    storage_s: round(s(['storage'])),
    catalog_s: round(s(['catalog'])),
    parquet_encode_s: round(s(['encode'])),
    rest_s: round(Math.max(0, totalS - accounted)),
    hot_store_share: round(hot / totalS),
  };
}

const MB = 1024 * 1024;
/** issue 10 item 5: archive-move ≥ 5,000 orders/s on the local default. */
const TARGET_ORDERS_PER_S = 5000;
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

async function coldServicesUp(config: Config): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${config.webhdfsPort}/webhdfs/v1/?op=GETFILESTATUS&user.name=orderpulse`, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
  if (!(res instanceof Response) || res.status !== 200) return 'WebHDFS does not answer (npm run stack -- up --all)';
  const { createHiveCatalog } = await import('../shared/archive/adapters/metastore/catalog.ts');
  const hive = createHiveCatalog({ uri: config.hiveMetastoreUri ?? `thrift://127.0.0.1:${config.hivePort}`, timeoutMs: 5000 });
  try {
    await hive.client.getAllDatabases();
    return undefined;
  } catch (err) {
    return `Hive Metastore does not answer: ${(err as Error).message}`;
  } finally {
    await hive.close();
  }
}

function stepSeconds(batches: BatchManifest[], started: number): BackendResult['steps_s'] {
  const s = { freeze: 0, write: 0, verify: 0, register: 0, delete: 0 };
  let prevEnd = started;
  for (const b of batches) {
    const at = (step: string): number => new Date(b.history.find((h) => h.step === step)?.at ?? 0).getTime();
    s.freeze += (at('frozen') - prevEnd) / 1000;
    s.write += (at('written') - at('frozen')) / 1000;
    s.verify += (at('verified') - at('written')) / 1000;
    s.register += (at('registered') - at('verified')) / 1000;
    s.delete += (at('deleted') - at('registered')) / 1000;
    prevEnd = at('deleted');
  }
  return { freeze: round(s.freeze), write: round(s.write), verify: round(s.verify), register: round(s.register), delete: round(s.delete) };
}

/** The floor on a fresh database seeded like the backends' (same fixtures, ObjectIds a day old). */
async function benchFloor(fixtures: FactFixture[], config: Config, freshIds: boolean): Promise<HotStoreFloor> {
  const mongo = await connectMongo(config, testDbName('bench_floor'));
  try {
    await seedHotStore(mongo.db, fixtures, freshIds ? {} : { idsFrom: new Date(Date.now() - 86_400_000) });
    return await measureHotStoreFloor(mongo.db, fixtures.length, DEFAULT_DELETE_CHUNK);
  } finally {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

function fastestFloor(runs: HotStoreFloor[]): ArchiveFloorResult {
  const best = runs.reduce((a, b) => (b.orders_per_s > a.orders_per_s ? b : a));
  return { ...best, range_chunk: DEFAULT_DELETE_CHUNK, target_ratio: round(best.orders_per_s / TARGET_ORDERS_PER_S), runs_orders_per_s: runs.map((r) => r.orders_per_s) };
}

async function benchBackend(kind: BenchBackend, fixtures: FactFixture[], batch: number, config: Config, freshIds: boolean): Promise<BackendResult> {
  const log = createLogger({ bench: 'archive', backend: kind }, () => undefined);
  const id = randomBytes(4).toString('hex');
  const dbName = testDbName('bench_archive');
  const target: ArchiveTarget = { database: kind === 'local' ? 'orderpulse' : `op_bench_${id}`, table: 'orders_fact' };
  let localDir: string | undefined;
  let backends: ArchiveBackends;
  let hdfsRoot: string | undefined;
  if (kind === 'local') {
    localDir = await mkdtemp(path.join(os.tmpdir(), 'op-bench-archive-'));
    backends = { storage: new LocalStorage(localDir), catalog: new LocalCatalog(path.join(localDir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } };
  } else {
    hdfsRoot = `/orderpulse-bench-${id}`;
    backends = openArchiveBackends({ ...config, archiveUrl: `webhdfs://127.0.0.1:${config.webhdfsPort}${hdfsRoot}`, hiveMetastoreUri: config.hiveMetastoreUri ?? `thrift://127.0.0.1:${config.hivePort}` });
  }
  const rt = await openArchiveRuntime(config, { dbName, log, backends });
  try {
    let t = performance.now();
    await seedHotStore(rt.mongo.db, fixtures, freshIds ? {} : { idsFrom: new Date(Date.now() - 86_400_000) });
    const seedS = (performance.now() - t) / 1000;
    const before = sizeFacts(await rt.hot.readSize());

    t = performance.now();
    const started = Date.now();
    const clock = new BusyClock();
    const hooks = { encoded: (_batch: string, start: number, end: number) => clock.add('encode', start, end) };
    const res = await runMove(timedDeps(rt.moveDeps(), clock), { orders: fixtures.length, maxBatch: batch, target, hooks });
    const seconds = (performance.now() - t) / 1000;
    const cats = clock.categories();
    if (res.moved !== fixtures.length) throw new Error(`archived ${res.moved} of ${fixtures.length} orders`);
    const after = sizeFacts(await rt.hot.readSize());
    const manifests = await rt.manifests.list();
    const steps = stepSeconds(manifests, started);

    const files = await listArchiveFiles(backends.storage, undefined, target);
    const blobs = await Promise.all(files.map((f) => backends.storage.get(f.path)));
    const parquetBytes = blobs.reduce((n, b) => n + b.byteLength, 0);
    t = performance.now();
    for (let i = 0; i < blobs.length; i++) await backends.storage.put(`/bench-raw/raw-${i}.parquet`, blobs[i]!);
    const rawS = (performance.now() - t) / 1000;

    const mbPerS = parquetBytes / MB / seconds;
    const rawMbPerS = parquetBytes / MB / rawS;
    const w = manifests.reduce((a, b) => ({ load: a.load + (b.write_ms?.load ?? 0) / 1000, encode: a.encode + (b.write_ms?.encode ?? 0) / 1000, store: a.store + (b.write_ms?.store ?? 0) / 1000 }), { load: 0, encode: 0, store: 0 });
    const sideS = w.encode + w.store + steps.verify + steps.register;
    const hotBytes = before.factBytes - after.factBytes;
    return {
      backend: kind === 'local' ? `local ${backends.storage.describe()}` : `webhdfs ${backends.storage.describe()} + ${backends.catalog.describe()}`,
      orders: res.moved,
      batches: res.batches.length,
      files: files.length,
      seconds: round(seconds),
      orders_per_s: Math.round(res.moved / seconds),
      parquet_mb: round(parquetBytes / MB),
      mb_per_s: round(mbPerS),
      steps_s: steps,
      write_s: { load: round(w.load), encode: round(w.encode), store: round(w.store) },
      archive_side_mb_per_s: round(parquetBytes / MB / sideS),
      raw_write: { seconds: round(rawS), mb_per_s: round(rawMbPerS) },
      throughput_ratio: round(mbPerS / rawMbPerS),
      archive_side_ratio: round(parquetBytes / MB / sideS / rawMbPerS),
      hot_bytes: hotBytes,
      hot_bytes_per_order: Math.round(hotBytes / res.moved),
      parquet_bytes_per_order: round(parquetBytes / res.moved, 1),
      size_ratio: round(hotBytes / parquetBytes, 2),
      seed_s: round(seedS),
      delete_path: cats.includes('hot.deletes.ids') ? (cats.includes('hot.deletes.range') ? 'mixed' : 'ids') : 'range',
      time_share: timeShare(clock, seconds),
      orders_ratio: round(res.moved / seconds / TARGET_ORDERS_PER_S),
      ratio_to_floor: 0, // set once the floor is known
    };
  } finally {
    await rt.mongo.db.dropDatabase().catch(() => undefined);
    if (kind === 'webhdfs') {
      await (backends.catalog as HiveCatalog).client.dropDatabase(target.database, { deleteData: false, cascade: true }).catch(() => undefined);
      await fetch(`http://127.0.0.1:${config.webhdfsPort}/webhdfs/v1${hdfsRoot}?op=DELETE&recursive=true&user.name=orderpulse`, { method: 'DELETE' }).catch(() => undefined);
    }
    await rt.close();
    if (localDir) await rm(localDir, { recursive: true, force: true });
  }
}

function codecSpeed(fixtures: FactFixture[]): Promise<{ encode: number; decode: number }> {
  return (async () => {
    const none = { customers: new Map(), products: new Map(), payments: new Map() };
    const rows = fixtures.map((f) => toArchiveRow({ ...(f.fact as unknown as FactDoc), hot_id: '0'.repeat(24) }, none, 'bench'));
    let t = performance.now();
    const bytes = encodeArchiveFile(rows, { batchId: 'bench' });
    const enc = (performance.now() - t) / 1000;
    t = performance.now();
    await decodeArchiveFile(bytes);
    const dec = (performance.now() - t) / 1000;
    return { encode: Math.round(rows.length / enc), decode: Math.round(rows.length / dec) };
  })();
}

export async function runArchiveBench(opts: ArchiveBenchOptions = {}): Promise<ArchiveBenchResult> {
  let config = opts.config ?? loadConfig();
  const own = opts.ownFerretdb ? await startOwnService('ferretdb', config, createLogger({ bench: 'archive' }, () => undefined)) : undefined;
  if (own) config = { ...config, mongoUrl: own.env.MONGO_URL!, mongoExternal: true };
  try {
    return await archiveBench(opts, config, own ? `FerretDB (private instance, SQLite) ${own.env.MONGO_URL}` : undefined);
  } finally {
    await own?.close();
  }
}

async function archiveBench(opts: ArchiveBenchOptions, config: Config, hotStore: string | undefined): Promise<ArchiveBenchResult> {
  const orders = opts.orders ?? 50_000;
  const batch = opts.batch ?? 50_000;
  const fixtures = generatedFixtures(orders, opts.seed ?? 1);
  const skipped: Record<string, string> = {};
  let wanted = opts.backends;
  if (!wanted) {
    wanted = ['local'];
    const down = await coldServicesUp(config);
    if (down) skipped.webhdfs = down;
    else wanted.push('webhdfs');
  }
  const freshIds = opts.freshIds ?? false;
  const results: BackendResult[] = [];
  for (const b of wanted) results.push(await benchBackend(b, fixtures, batch, config, freshIds));
  // After the moves, so that the first move meets the same fresh server as without the floor.
  const floors: HotStoreFloor[] = [];
  while (floors.length < (opts.floorRuns ?? 1)) floors.push(await benchFloor(fixtures, config, freshIds));
  const floor = fastestFloor(floors);
  for (const r of results) r.ratio_to_floor = round(r.orders_per_s / floor.orders_per_s);
  return {
    orders,
    batch,
    codec: DEFAULT_CODEC,
    hot_store: hotStore ?? (config.mongoExternal ? config.mongoUrl.replace(/\/\/[^@]*@/, '//') : 'FerretDB (local, SQLite)'),
    codec_rows_per_s: await codecSpeed(fixtures),
    hot_store_floor: floor,
    backends: results,
    skipped,
    targets: { throughput_ratio: 0.5, size_ratio: 4, orders_per_s: TARGET_ORDERS_PER_S },
  };
}

const USAGE = `Usage: npx tsx bench/archive.ts [options]

Archive throughput and size against raw storage writes; prints one JSON object.
Needs the stack: npm run stack -- up (and up --all for HDFS + Hive).

  --orders N           orders seeded and archived per backend (default 50000)
  --batch N            archive-move's batch size (default 50000)
  --seed S             generator seed (default 1)
  --backends a[,b]     local, webhdfs (default local, plus webhdfs when it answers)
  --fresh-ids          keep the driver's ObjectIds (now): deletes go by id list, not by _id range
  --own-ferretdb       a private FerretDB instance (free port, own data) instead of the configured one
  --floor-runs K       measure the hot store's floor K times after the backends (default 1)
                       and take the fastest
  -h, --help           this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    orders: { type: 'number', min: 1, integer: true },
    batch: { type: 'number', min: 1, integer: true },
    seed: { type: 'number', min: 0, integer: true },
    backends: { type: 'list', value: 'a list of backends, e.g. --backends local,webhdfs', allowed: ['local', 'webhdfs'] },
    'fresh-ids': { type: 'boolean' },
    'own-ferretdb': { type: 'boolean' },
    'floor-runs': { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  runArchiveBench({ orders: v.orders, batch: v.batch, seed: v.seed, backends: v.backends, freshIds: v['fresh-ids'], ownFerretdb: v['own-ferretdb'], floorRuns: v['floor-runs'] })
    .then((r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`archive bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
