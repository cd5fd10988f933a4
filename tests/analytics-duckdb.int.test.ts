/**
 * The DuckDB analytics engine and the `analytics` function on the REAL services (FerretDB,
 * Redis, HDFS through WebHDFS): generator orders seeded into the hot store, part of them moved by
 * the real archive-move core (three batches done, one left half moved: written, verified and
 * registered but not deleted, so in both places), then every field of the DuckDB result compared
 * with an independent TypeScript fold over the seeded facts (money in cents), placement included.
 * Own MongoDB database, archive folder / HDFS root, cache folder and KPI_PREFIX per test.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { COLLECTIONS } from '../shared/adapters/mongo.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { createStorage } from '../shared/archive/adapters/factory.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { partitionDir } from '../shared/archive/layout.ts';
import { runMove } from '../shared/archive/move.ts';
import type { ArchiveStorage } from '../shared/archive/ports.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import type { FactFixture } from '../shared/archive/testing/facts.ts';
import { seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { DuckDbEngine } from '../shared/analytics/adapters/duckdb-engine.ts';
import { openEngine, openResultStore } from '../shared/analytics/adapters/open.ts';
import { QUERIES } from '../shared/analytics/queries.ts';
import { toResult } from '../shared/analytics/results.ts';
import { runAnalytics } from '../shared/analytics/run.ts';
import type { AnalyticsResult } from '../shared/analytics/types.ts';
import { startPipeline, type Pipeline } from '../dev/local/pipeline.ts';
import { comparable, expectedAnalytics } from './analytics-expected.ts';

const base = loadConfig();
const log = createLogger({ test: 'analytics-duckdb.int' }, () => undefined);
class Crash extends Error {}

/** 2 400 orders at 1 per 100 s of event time: about 2.8 UTC days. */
const TOTAL = 2400;
const MOVED = 1500;
const HALF = 300;

interface Seeded {
  dbName: string;
  config: Config;
  rt: ArchiveRuntime;
  fixtures: FactFixture[];
}

/** Seed a fresh database, archive MOVED orders in three batches, then leave HALF more half moved. */
async function seedAndArchive(storage: ArchiveStorage, catalogFile: string, archiveUrl: string): Promise<Seeded> {
  const dbName = testDbName('analytics_duckdb');
  // The hot store is scanned every run here (placement measured each time); the incremental
  // hot rows (Kafka feed) are tested in analytics-incremental.int.test.ts.
  const config = loadConfig({ ...process.env, MONGO_DB: dbName, ARCHIVE_URL: archiveUrl, HIVE_METASTORE_URI: '', ANALYTICS_HOT_READ: 'full' });
  const rt = await openArchiveRuntime(config, { dbName, log, backends: { storage, catalog: new LocalCatalog(catalogFile), kind: { storage: 'local', catalog: 'local' } } });
  const fixtures = generatedFixtures(TOTAL, 8, 0.01);
  await seedHotStore(rt.mongo.db, fixtures);
  expect(await runMove(rt.moveDeps(), { orders: MOVED, maxBatch: 500 })).toMatchObject({ status: 'done', moved: MOVED });
  const stopAfterRegistered = {
    afterStep: (b: { step: string }) => {
      if (b.step === 'registered') throw new Crash('stopped after registered');
    },
  };
  await expect(runMove(rt.moveDeps(), { orders: HALF, maxBatch: HALF, hooks: stopAfterRegistered })).rejects.toBeInstanceOf(Crash);
  expect(await rt.mongo.db.collection(COLLECTIONS.fact).countDocuments()).toBe(TOTAL - MOVED);
  return { dbName, config, rt, fixtures };
}

const halfMoved = { orders_hot: TOTAL - MOVED, orders_archived: MOVED + HALF, duplicates_archived: 0, in_both: HALF };
const allMoved = { orders_hot: TOTAL - MOVED - HALF, orders_archived: MOVED + HALF, duplicates_archived: 0, in_both: 0 };

async function runEngine(engine: DuckDbEngine): Promise<AnalyticsResult> {
  return toResult('duckdb', await engine.run(QUERIES), 0);
}

describe('DuckDB engine over FerretDB + a local archive', () => {
  let dir: string;
  let s: Seeded;
  let engine: DuckDbEngine | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'op-analytics-local-'));
    s = await seedAndArchive(createStorage({ ...base, archiveUrl: `file://${dir}` }).storage, path.join(dir, '_catalog.json'), `file://${dir}`);
  });

  afterAll(async () => {
    await engine?.close();
    await s?.rt.mongo.db.dropDatabase().catch(() => undefined);
    await s?.rt.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every field equals an independent fold over the seeded orders, a half-moved batch counted once; cached archive files are not reloaded', async () => {
    engine = openEngine(s.config, log) as DuckDbEngine;
    const facts = s.fixtures.map((f) => f.fact);
    const first = await runEngine(engine);
    expect(comparable(first)).toEqual(expectedAnalytics(facts, halfMoved));
    expect(first.daily.length).toBeGreaterThanOrEqual(3);
    expect(engine.lastStats).toMatchObject({ hot_rows: TOTAL - MOVED, archive_files_loaded: engine.lastStats!.archive_files, archive_bytes_copied: 0 });

    // The half-moved batch completes (deleted from the hot store): same analytics, new placement,
    // and no archive file read again (same names and sizes).
    expect(await s.rt.manifests.inFlight()).toHaveLength(1);
    expect(await runMove(s.rt.moveDeps(), { orders: 0 })).toMatchObject({ status: 'done', moved: HALF });
    const second = await runEngine(engine);
    expect(comparable(second)).toEqual(expectedAnalytics(facts, allMoved));
    expect(engine.lastStats).toMatchObject({ hot_rows: TOTAL - MOVED - HALF, archive_files_loaded: 0, archive_files_dropped: 0 });
  });
});

describe('DuckDB engine over FerretDB + an HDFS archive (WebHDFS)', () => {
  const webhdfs = `http://127.0.0.1:${base.webhdfsPort}`;
  const root = `/orderpulse-analytics-it-${randomBytes(4).toString('hex')}`;
  let tmp: string;
  let s: Seeded;
  let engine: DuckDbEngine | undefined;

  beforeAll(async () => {
    const res = await fetch(`${webhdfs}/webhdfs/v1/?op=GETFILESTATUS&user.name=orderpulse`, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    if (!(res instanceof Response) || res.status !== 200) throw new Error(`WebHDFS at ${webhdfs} does not answer: start HDFS with \`npm run stack -- up --all\``);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'op-analytics-hdfs-'));
    const url = `webhdfs://127.0.0.1:${base.webhdfsPort}${root}`;
    const { storage, kind } = createStorage({ ...base, archiveUrl: url });
    expect(kind).toBe('webhdfs');
    s = await seedAndArchive(storage, path.join(tmp, '_catalog.json'), url);
  });

  afterAll(async () => {
    await engine?.close();
    await fetch(`${webhdfs}/webhdfs/v1${root}?op=DELETE&recursive=true&user.name=orderpulse`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    await s?.rt.mongo.db.dropDatabase().catch(() => undefined);
    await s?.rt.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('copies each Parquet file once into the local cache, results equal the fold; a new engine reuses the cached copies', async () => {
    const cacheDir = path.join(tmp, 'cache');
    engine = openEngine(s.config, log, { duckdb: { cacheDir } }) as DuckDbEngine;
    const facts = s.fixtures.map((f) => f.fact);
    expect(comparable(await runEngine(engine))).toEqual(expectedAnalytics(facts, halfMoved));
    const files = engine.lastStats!.archive_files;
    expect(files).toBeGreaterThanOrEqual(4);
    expect(engine.lastStats!.archive_bytes_copied).toBeGreaterThan(0);
    expect((await readdir(path.join(cacheDir, 'orders_fact'), { recursive: true })).filter((n) => n.endsWith('.parquet'))).toHaveLength(files);

    expect(comparable(await runEngine(engine))).toEqual(expectedAnalytics(facts, halfMoved));
    expect(engine.lastStats).toMatchObject({ archive_files_loaded: 0, archive_bytes_copied: 0 });

    // A restarted process: rows loaded again from the local copies, nothing fetched from HDFS.
    await engine.close();
    engine = openEngine(s.config, log, { duckdb: { cacheDir } }) as DuckDbEngine;
    expect(comparable(await runEngine(engine))).toEqual(expectedAnalytics(facts, halfMoved));
    expect(engine.lastStats).toMatchObject({ archive_files_loaded: files, archive_bytes_copied: 0 });
  });
});

describe('the analytics function through the local gateway', () => {
  const id = randomBytes(4).toString('hex');
  const prefix = `test:analytics:${id}:`;
  let dir: string;
  let s: Seeded;
  let pipeline: Pipeline | undefined;
  const redis = new Redis(base.redisUrl, { lazyConnect: true });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'op-analytics-fn-'));
    s = await seedAndArchive(createStorage({ ...base, archiveUrl: `file://${dir}` }).storage, path.join(dir, '_catalog.json'), `file://${dir}`);
    pipeline = await startPipeline({
      only: ['analytics'],
      gatewayPort: 0,
      kafka: false,
      cron: false,
      dashboard: false,
      env: { MONGO_DB: s.dbName, ARCHIVE_URL: `file://${dir}`, HIVE_METASTORE_URI: '', KPI_PREFIX: prefix, ANALYTICS_ENGINE: 'duckdb', ANALYTICS_HOT_READ: 'full', LOG_LEVEL: 'warn' },
      log,
    });
  });

  afterEach(async () => {
    await rm(path.join(dir, partitionDir('2026-01-01'), 'part-broken.parquet'), { force: true });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await redis.del(`${prefix}history`, `${prefix}quality`).catch(() => undefined);
    redis.disconnect();
    await s?.rt.mongo.db.dropDatabase().catch(() => undefined);
    await s?.rt.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await pipeline!.gatewayFetch(`/function/analytics`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  const stored = async (): Promise<AnalyticsResult | null> => {
    const store = openResultStore(loadConfig({ ...process.env, KPI_PREFIX: prefix }), `analytics-test-${id}`);
    try {
      return await store.loadHistory();
    } finally {
      await store.close();
    }
  };

  it('GET answers 404 before the first run; POST runs DuckDB and writes the whole result to Redis; GET answers its header', async () => {
    expect((await call('GET')).status).toBe(404);
    const run = await call('POST', {});
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ engine: 'duckdb', orders: TOTAL, placement: halfMoved });
    expect(Object.keys(run.json).sort()).toEqual(['as_of', 'engine', 'orders', 'placement', 'took_ms']);

    const doc = await stored();
    expect(doc).not.toBeNull();
    expect(doc!.as_of).toBe(run.json.as_of);
    expect(comparable(doc!)).toEqual(expectedAnalytics(s.fixtures.map((f) => f.fact), halfMoved));

    const head = await call('GET');
    expect(head.status).toBe(200);
    expect(head.json).toEqual({ engine: 'duckdb', as_of: doc!.as_of, took_ms: doc!.took_ms, summary: doc!.summary });
  });

  it('rejects an unknown engine (400) and answers 409 busy to a call made while a run is going', async () => {
    const bad = await call('POST', { engine: 'presto' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/engine must be one of duckdb, spark/);
    const both = await Promise.all([call('POST', { engine: 'duckdb' }), call('POST')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.json).toMatchObject({ code: 'busy', retriable: true, running: { engine: 'duckdb' } });
  });

  it('a run failing on a broken archive file writes nothing: the previous result stays, then the next good run replaces it', async () => {
    const before = await stored();
    expect(before).not.toBeNull();
    const broken = path.join(dir, partitionDir('2026-01-01'), 'part-broken.parquet');
    await mkdir(path.dirname(broken), { recursive: true });
    await writeFile(broken, 'this is not a parquet file');
    const failed = await call('POST');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.json).toMatchObject({ code: 'dependency' });
    expect(String(failed.json.error)).toMatch(/archive.*part-broken\.parquet|part-broken\.parquet.*archive/s);
    expect(await stored()).toEqual(before);

    await rm(broken);
    const ok = await call('POST');
    expect(ok.status).toBe(200);
    expect((await stored())!.as_of).toBe(ok.json.as_of);
    expect(ok.json.as_of).not.toBe(before!.as_of);
  });

  it('a run failing on an unreachable MongoDB writes nothing either (in process, same store)', async () => {
    const before = await stored();
    expect(before).not.toBeNull();
    const config = loadConfig({ ...process.env, MONGO_URL: 'mongodb://127.0.0.1:1/', MONGO_DB: s.dbName, ARCHIVE_URL: `file://${dir}`, KPI_PREFIX: prefix, ANALYTICS_HOT_READ: 'full' });
    const engine = openEngine(config, log);
    const store = openResultStore(config, `analytics-test-${id}-fail`);
    try {
      await expect(runAnalytics(engine, store, log)).rejects.toThrow(/mongodb: cannot connect to mongodb:\/\/127\.0\.0\.1:1\//);
    } finally {
      await engine.close();
      await store.close();
    }
    expect(await stored()).toEqual(before);
  }, 60_000);
});
