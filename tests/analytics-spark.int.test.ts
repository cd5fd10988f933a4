/**
 * The Spark analytics engine on the REAL services: Spark standalone (REST submission), FerretDB,
 * HDFS and the Hive Metastore (`npm run stack -- up --all`). Generator orders are seeded into the
 * hot store and part of them archived by the real archive-move core onto HDFS (WebHDFS) with the
 * table in Hive, one batch left half moved (in both places); the Spark job reads the hot store
 * through the MongoDB connector and the archive through the metastore, and every field of the
 * result is compared with an independent TypeScript fold over the seeded facts (money in cents),
 * placement included. Own MongoDB database, HDFS root and Hive database, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { DependencyError } from '../shared/platform/errors.ts';
import { createLogger } from '../shared/platform/log.ts';
import { createStorage, openArchiveBackends } from '../shared/archive/adapters/factory.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import type { HiveCatalog } from '../shared/archive/adapters/metastore/catalog.ts';
import type { ArchiveTarget } from '../shared/archive/table.ts';
import { testDbName } from '../shared/archive/testing/seed.ts';
import { SPARK_RESULTS_COLLECTION, SparkEngine } from '../shared/analytics/adapters/spark-engine.ts';
import { openEngine } from '../shared/analytics/adapters/open.ts';
import { QUERIES } from '../shared/analytics/queries.ts';
import { toResult } from '../shared/analytics/results.ts';
import { comparable } from './analytics-expected.ts';
import { seedScenario, type Scenario } from './analytics-scenario.ts';

const base = loadConfig();
const webhdfs = `http://127.0.0.1:${base.webhdfsPort}`;
const hiveUri = base.hiveMetastoreUri ?? `thrift://127.0.0.1:${base.hivePort}`;
const log = createLogger({ test: 'analytics-spark.int' }, () => undefined);
const SPARK_RUN_MS = 600_000;

const id = randomBytes(4).toString('hex');
const root = `/orderpulse-analytics-spark-it-${id}`;
const target: ArchiveTarget = { database: `op_analytics_spark_it_${id}`, table: 'orders_fact' };
const dbName = testDbName('analytics_spark');
let config: Config;
let s: Scenario | undefined;

beforeAll(async () => {
  const hint = 'start the services with `npm run stack -- up --all` (check with `npm run stack -- status --all`)';
  const master = await fetch(`http://127.0.0.1:${base.sparkMasterUiPort}/json/`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.json() as Promise<{ status?: string; aliveworkers?: number }>).catch(() => undefined);
  if (master?.status !== 'ALIVE' || (master.aliveworkers ?? 0) < 1) throw new Error(`Spark is not up (master UI http://127.0.0.1:${base.sparkMasterUiPort}): ${hint}`);
  const res = await fetch(`${webhdfs}/webhdfs/v1/?op=GETFILESTATUS&user.name=orderpulse`, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
  if (!(res instanceof Response) || res.status !== 200) throw new Error(`WebHDFS at ${webhdfs} does not answer: ${hint}`);

  config = loadConfig({ ...process.env, MONGO_DB: dbName, ARCHIVE_URL: `webhdfs://127.0.0.1:${base.webhdfsPort}${root}`, HIVE_METASTORE_URI: hiveUri });
  const backends = openArchiveBackends(config);
  expect(backends.kind).toEqual({ storage: 'webhdfs', catalog: 'hive' });
  s = await seedScenario({ config, dbName, log, backends, target, size: { total: 1200, moved: 600, half: 150, maxBatch: 300 } });
});

afterAll(async () => {
  if (!s) return;
  await (s.rt.backends.catalog as HiveCatalog).client.dropDatabase(target.database, { deleteData: false, cascade: true }).catch(() => undefined);
  await fetch(`${webhdfs}/webhdfs/v1${root}?op=DELETE&recursive=true&user.name=orderpulse`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
  await s.rt.mongo.db.dropDatabase().catch(() => undefined);
  await s.rt.close();
});

describe('Spark engine over FerretDB + Hive/HDFS, submitted over REST', () => {
  it(
    'computes every field exactly like an independent fold over the facts, a batch half moved, and identically to DuckDB on the same input',
    async () => {
      const engine = openEngine(config, log, { engine: 'spark', spark: { target } });
      try {
        const t0 = Date.now();
        const result = toResult('spark', await engine.run(QUERIES), Date.now() - t0);
        expect(comparable(result)).toEqual(s?.expected);
        expect(result.placement).toEqual({ orders_hot: 600, orders_archived: 750, duplicates_archived: 0, in_both: 150 });
        // The same input on the other engine (DuckDB embedded, archive read over WebHDFS): identical,
        // to the cent; its hot store read every run like Spark's (placement measured, no Kafka feed).
        const duck = openEngine(config, log, { engine: 'duckdb', duckdb: { hotRead: 'full' } });
        try {
          const d = toResult('duckdb', await duck.run(QUERIES), 0);
          expect(comparable(d)).toEqual(comparable(result));
          expect(d.placement).toEqual(result.placement);
        } finally {
          await duck.close();
        }
        // The results document is read once and deleted.
        expect(await s?.rt.mongo.db.collection(SPARK_RESULTS_COLLECTION).countDocuments()).toBe(0);
      } finally {
        await engine.close();
      }
    },
    SPARK_RUN_MS,
  );

  it(
    "reports the driver's own error when a query fails",
    async () => {
      const engine = new SparkEngine(config, log, { target });
      try {
        const bad = { ...QUERIES, daily: 'SELECT no_such_column FROM hot_orders' };
        const err = (await engine.run(bad).catch((e: unknown) => e)) as Error;
        expect(err).toBeInstanceOf(DependencyError);
        expect(err.message).toMatch(/^spark: analytics job driver-\S+ ended FAILED: .*no_such_column/s);
      } finally {
        await engine.close();
      }
    },
    SPARK_RUN_MS,
  );

  it('names Spark and how to start it when the master does not answer', async () => {
    const down = loadConfig({ ...process.env, MONGO_DB: dbName, SPARK_REST_URL: 'http://127.0.0.1:9' });
    const engine = new SparkEngine(down, log);
    try {
      const err = (await engine.run(QUERIES).catch((e: unknown) => e)) as DependencyError;
      expect(err).toBeInstanceOf(DependencyError);
      expect(err.service).toBe('spark');
      expect(err.message).toMatch(/REST submission server at http:\/\/127\.0\.0\.1:9 does not answer.*npm run stack -- up --all/s);
    } finally {
      await engine.close();
    }
  });
});

describe('Spark engine over FerretDB + a local Parquet archive (file://, no metastore)', () => {
  let dir: string;
  let local: Scenario | undefined;
  let localConfig: Config;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'op-analytics-spark-'));
    const localDb = testDbName('analytics_spark_local');
    const archiveUrl = `file://${dir}/archive`;
    localConfig = loadConfig({ ...process.env, MONGO_DB: localDb, ARCHIVE_URL: archiveUrl, HIVE_METASTORE_URI: '' });
    const storage = createStorage(localConfig).storage;
    const backends = { storage, catalog: new LocalCatalog(path.join(dir, 'archive', '_catalog.json')), kind: { storage: 'local' as const, catalog: 'local' as const } };
    local = await seedScenario({ config: localConfig, dbName: localDb, log, backends, size: { total: 800, moved: 400, half: 100, maxBatch: 200, seed: 12 } });
  });

  afterAll(async () => {
    if (local) {
      await local.rt.mongo.db.dropDatabase().catch(() => undefined);
      await local.rt.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'reads the Parquet table directory and computes every field exactly',
    async () => {
      const engine = openEngine(localConfig, log, { engine: 'spark' });
      try {
        const result = toResult('spark', await engine.run(QUERIES), 0);
        expect(comparable(result)).toEqual(local?.expected);
        expect(result.placement).toEqual({ orders_hot: 400, orders_archived: 500, duplicates_archived: 0, in_both: 100 });
      } finally {
        await engine.close();
      }
    },
    SPARK_RUN_MS,
  );
});
