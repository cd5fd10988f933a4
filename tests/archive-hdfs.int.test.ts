/**
 * archive-move against the REAL cold-path services: HDFS through WebHDFS and the Hive Metastore
 * over Thrift (npm run stack -- up --all), with the real MongoDB/FerretDB. Checks the files
 * independently (DuckDB reads the bytes fetched through WebHDFS), the metastore's table,
 * partitions and locations, and crash safety with a real SIGKILL of the mover.
 * Each test has its own HDFS root, Hive database and MongoDB database, all removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { openArchiveBackends } from '../shared/archive/adapters/factory.ts';
import { partitionDir } from '../shared/archive/layout.ts';
import { createHiveCatalog, type HiveCatalog } from '../shared/archive/adapters/metastore/catalog.ts';
import { runMove } from '../shared/archive/move.ts';
import { toCents } from '../shared/contract/money.ts';
import type { ArchiveStorage } from '../shared/archive/ports.ts';
import { listArchiveFiles } from '../shared/archive/reader.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import type { ArchiveTarget } from '../shared/archive/table.ts';
import { duckSummary } from '../shared/archive/testing/duckdb.ts';
import { buildFacts, type FactFixture } from '../shared/archive/testing/facts.ts';
import { archiveState } from '../shared/archive/testing/invariants.ts';
import { hotOrderIds, seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { runAndKill } from './archive/kill.ts';
import { resumeUntilDone } from './archive/resume.ts';

const base = loadConfig();
const webhdfs = `http://127.0.0.1:${base.webhdfsPort}`;
const hiveUri = base.hiveMetastoreUri ?? `thrift://127.0.0.1:${base.hivePort}`;
const log = createLogger({ test: 'archive-hdfs.int' }, () => undefined);

beforeAll(async () => {
  const hint = 'the cold-path services are not up: start them with `npm run stack -- up --all` (check with `npm run stack -- status --all`)';
  const res = await fetch(`${webhdfs}/webhdfs/v1/?op=GETFILESTATUS&user.name=orderpulse`, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
  if (!(res instanceof Response) || res.status !== 200) throw new Error(`WebHDFS at ${webhdfs} does not answer: ${hint}`);
  const hive = createHiveCatalog({ uri: hiveUri, timeoutMs: 10_000 });
  try {
    await hive.client.getAllDatabases();
  } catch (err) {
    throw new Error(`Hive Metastore at ${hiveUri} does not answer (${(err as Error).message}): ${hint}`);
  } finally {
    await hive.close();
  }
});

let root: string;
let target: ArchiveTarget;
let dbName: string;
let rt: ArchiveRuntime;
let seeded: FactFixture[];
let env: Record<string, string>;

beforeEach(async () => {
  const id = randomBytes(4).toString('hex');
  root = `/orderpulse-archive-it-${id}`;
  target = { database: `op_archive_it_${id}`, table: 'orders_fact' };
  dbName = testDbName('archive_hdfs');
  env = { MONGO_DB: dbName, ARCHIVE_URL: `webhdfs://127.0.0.1:${base.webhdfsPort}${root}`, HIVE_METASTORE_URI: hiveUri, ARCHIVE_TEST_DATABASE: target.database };
  const config = loadConfig({ ...process.env, ...env });
  const backends = openArchiveBackends(config);
  expect(backends.kind).toEqual({ storage: 'webhdfs', catalog: 'hive' });
  rt = await openArchiveRuntime(config, { dbName, log, backends });
  seeded = buildFacts(240, { seed: 31, stepMs: 900_000 });
  await seedHotStore(rt.mongo.db, seeded);
});

afterEach(async () => {
  await (rt.backends.catalog as HiveCatalog).client.dropDatabase(target.database, { deleteData: false, cascade: true }).catch(() => undefined);
  await fetch(`${webhdfs}/webhdfs/v1${root}?op=DELETE&recursive=true&user.name=orderpulse`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
  await rt.mongo.db.dropDatabase().catch(() => undefined);
  await rt.close();
});

/** Copy the archive's data files from HDFS (WebHDFS OPEN) into a temporary local tree with the same layout, for DuckDB. */
async function fetchToLocal(storage: ArchiveStorage): Promise<string> {
  const local = await mkdtemp(path.join(os.tmpdir(), 'op-archive-hdfs-copy-'));
  for (const f of await listArchiveFiles(storage)) {
    const dest = path.join(local, f.path);
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, await storage.get(f.path));
  }
  return local;
}

const sumCents = (fs: FactFixture[]): number => fs.reduce((n, f) => n + toCents(f.fact.total_amount), 0);

async function expectConsistent(archived: number): Promise<Awaited<ReturnType<typeof archiveState>>> {
  const st = await archiveState(rt.backends.storage, rt.backends.catalog, await hotOrderIds(rt.mongo.db), seeded.map((f) => f.fact.order_id), target);
  expect(st.problems).toEqual([]);
  expect(st.archivedIds).toHaveLength(archived);
  expect(st.archivedCents).toBe(sumCents(seeded.slice(0, archived)));
  return st;
}

describe('archive-move on HDFS + Hive Metastore', () => {
  it('writes Parquet to HDFS, registers the partitions in Hive, and an independent reader agrees', async () => {
    const res = await runMove(rt.moveDeps(), { orders: 150, maxBatch: 100, target });
    expect(res).toMatchObject({ status: 'done', moved: 150 });
    const st = await expectConsistent(150);
    expect(st.dirsWithFiles).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);

    // Hive Metastore reports the table, its partitions and their hdfs:// locations.
    const hive = rt.backends.catalog as HiveCatalog;
    const table = await hive.client.getTable(target.database, target.table);
    expect(table.tableType).toBe('EXTERNAL_TABLE');
    expect(table.sd?.location).toBe(`hdfs://127.0.0.1:${base.hdfsPort}${root}/orders_fact`);
    expect(table.sd?.serdeInfo?.serializationLib).toMatch(/ParquetHiveSerDe/);
    expect((table.partitionKeys ?? []).map((k) => `${k.name}:${k.type}`)).toEqual(['dt:string']);
    expect((table.sd?.cols ?? []).find((c) => c.name === 'total_amount')?.type).toBe('decimal(18,2)');
    const parts = await hive.client.getPartitions(target.database, target.table, -1);
    expect(parts.map((p) => p.values?.[0]).sort()).toEqual(st.dirsWithFiles);
    for (const p of parts) expect(p.sd?.location).toBe(`hdfs://127.0.0.1:${base.hdfsPort}${root}${partitionDir(p.values?.[0] ?? '')}`);

    // DuckDB reads the bytes fetched through WebHDFS: same rows, ids and sums.
    const local = await fetchToLocal(rt.backends.storage);
    try {
      const duck = await duckSummary(local);
      expect(duck.rows).toBe(150);
      expect(duck.ids).toEqual(seeded.slice(0, 150).map((f) => f.fact.order_id).sort());
      expect(duck.total_cents).toBe(sumCents(seeded.slice(0, 150)));
      expect(duck.quantity).toBe(seeded.slice(0, 150).reduce((n, f) => n + f.fact.quantity, 0));
      expect(duck.dts).toEqual(st.dirsWithFiles);
    } finally {
      await rm(local, { recursive: true, force: true });
    }
  });

  for (const pauseAt of ['written', 'delete-chunk'] as const) {
    it(`resumes after a SIGKILL at ${pauseAt} (HDFS + Hive)`, async () => {
      let stepSeen: string | undefined;
      const { signal } = await runAndKill({
        pauseAt,
        env: { ...env, ORDERS: '120', DELETE_CHUNK: '40', LOCK_TTL_MS: '2000' },
        beforeKill: async () => {
          stepSeen = (await rt.manifests.inFlight())[0]?.step;
        },
      });
      expect(signal).toBe('SIGKILL');
      expect(stepSeen).toBe(pauseAt === 'written' ? 'written' : 'registered');
      const res = await resumeUntilDone(rt.moveDeps(), target);
      expect(res.batches[0]).toMatchObject({ resumed_from: stepSeen, orders: 120 });
      await expectConsistent(120);
    });
  }
});
