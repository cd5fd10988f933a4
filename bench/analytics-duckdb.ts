/**
 * DuckDB analytics over all history: generator orders, the older half written straight into a
 * local Parquet archive with the project's writer (archive-move would take too long here), the
 * newer half seeded into FerretDB. Measures a cold run (engine just opened: hot store + every
 * archive file loaded + queries) and warm runs (the minute cadence: the hot store reloaded,
 * archive files cached by name + size, queries), split into hot load, archive and queries.
 *
 *   tsx bench/analytics-duckdb.ts [--orders 100000] [--warm 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { connectMongo } from '../shared/adapters/mongo.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { groupByDt } from '../shared/archive/denormalise.ts';
import { filePath } from '../shared/archive/layout.ts';
import { encodeArchiveFile } from '../shared/archive/parquet.ts';
import { rowOf } from '../shared/archive/testing/facts.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import { seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { DuckDbEngine, type DuckDbRunStats } from '../shared/analytics/adapters/duckdb-engine.ts';
import { QUERIES } from '../shared/analytics/queries.ts';
import { toResult } from '../shared/analytics/results.ts';

export interface DuckDbAnalyticsBenchOptions {
  orders?: number;
  warmRuns?: number;
  /** Rows per archive file (default 10 000, like a few archive-move batches per day). */
  rowsPerFile?: number;
  config?: Config;
  log?: Logger;
}

export interface DuckDbRun extends DuckDbRunStats {
  total_ms: number;
}

export interface DuckDbAnalyticsBenchResult {
  orders: number;
  hot: number;
  archived: number;
  archive_files: number;
  archive_mb: number;
  seed_s: { hot: number; archive: number };
  cold: DuckDbRun;
  warm: DuckDbRun[];
}

export async function runDuckDbAnalyticsBench(opts: DuckDbAnalyticsBenchOptions = {}): Promise<DuckDbAnalyticsBenchResult> {
  const orders = opts.orders ?? 100_000;
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ bench: 'analytics-duckdb' });
  const dbName = testDbName('bench_analytics');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'op-bench-analytics-'));
  const mongo = await connectMongo(config, dbName);
  const engine = new DuckDbEngine({ config, log, dbName, storage: new LocalStorage(dir) });
  try {
    const fixtures = generatedFixtures(orders, 11);
    const half = Math.floor(orders / 2);
    let t = performance.now();
    const storage = new LocalStorage(dir);
    let files = 0;
    let bytes = 0;
    for (const [dt, rows] of groupByDt(fixtures.slice(0, half).map((f) => rowOf(f, 'bench')))) {
      const per = opts.rowsPerFile ?? 10_000;
      for (let i = 0; i < rows.length; i += per) {
        const batchId = `bench-${dt}-${i / per}`;
        const chunk = rows.slice(i, i + per).map((r) => ({ ...r, batch_id: batchId }));
        const file = encodeArchiveFile(chunk, { batchId });
        await storage.put(filePath(dt, batchId), file);
        files++;
        bytes += file.byteLength;
      }
    }
    const archiveS = (performance.now() - t) / 1000;
    t = performance.now();
    await seedHotStore(mongo.db, fixtures.slice(half));
    const hotS = (performance.now() - t) / 1000;
    log.info('bench: seeded', { orders, archived: half, files, hot_s: hotS, archive_s: archiveS });

    const timed = async (): Promise<DuckDbRun> => {
      const t0 = performance.now();
      const r = toResult('duckdb', await engine.run(QUERIES), 0);
      const total = Math.round(performance.now() - t0);
      if (r.summary.orders !== orders) throw new Error(`bench: analytics counted ${r.summary.orders} orders, seeded ${orders}`);
      return { ...engine.lastStats!, total_ms: total };
    };
    const cold = await timed();
    const warm: DuckDbRun[] = [];
    for (let i = 0; i < (opts.warmRuns ?? 3); i++) warm.push(await timed());
    return { orders, hot: orders - half, archived: half, archive_files: files, archive_mb: Math.round(bytes / 1e4) / 100, seed_s: { hot: Math.round(hotS * 10) / 10, archive: Math.round(archiveS * 10) / 10 }, cold, warm };
  } finally {
    await engine.close();
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, def: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const r = await runDuckDbAnalyticsBench({ orders: arg('orders', 100_000), warmRuns: arg('warm', 3) });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  process.exit(0);
}
