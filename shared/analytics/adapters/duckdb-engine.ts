/**
 * The DuckDB analytics engine, embedded (in process, no service). Per run:
 *   1. hot rows (`live_rows`, duckdb-hot.ts): by default read from the hot store (MongoDB
 *      orders_fact) at the first run and then followed through Kafka `orders.accepted`
 *      (ANALYTICS_HOT_READ=incremental), or re-read from the hot store every run (=full);
 *      money as DECIMAL(18,2) built from the contract's integer cents (never float arithmetic);
 *   2. `archived_orders`: a view over a cache table holding the rows of every archive data file
 *      (storage listing of `/orders_fact/dt=*`), loaded with read_parquet ONCE per file name and
 *      size (archive files are immutable: same name + size = same content) and dropped when its
 *      file disappears. A `webhdfs://` archive's files are first copied once into a local cache
 *      under ORDERPULSE_HOME (`analytics-cache/`); a `file://` archive is read in place;
 *   3. `hot_orders`: after a hot-store scan, live_rows as read (placement then measures what is
 *      where, a half-moved batch shows in `in_both`); after a feed run, live_rows minus the
 *      archived order_ids (the feed knows what was accepted, not what archive-move has deleted
 *      since; an order written to the archive counts from there);
 *   4. the SQL of queries.ts, unchanged.
 * The hot store is read BEFORE the archive is listed: an order archive-move deletes during the
 * scan was written to the archive before, so the listing that follows has it; an order in both
 * places counts once by the SQL.
 * Time zone: the SQL groups by the `date_key` strings (UTC days), and the session runs in UTC
 * anyway. One run at a time per engine (runs are queued).
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { connectMongo, type MongoHandle } from '../../adapters/mongo.ts';
import type { Config } from '../../platform/config.ts';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { LocalStorage } from '../../archive/adapters/local-storage.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import type { ArchiveStorage } from '../../archive/ports.ts';
import { listArchiveFiles, type ArchiveFileRef } from '../../archive/reader.ts';
import { ANALYTICS_COLUMNS, DUCKDB_TYPES, columnsDdl } from '../columns.ts';
import type { AnalyticsEngine, RunOptions } from '../engine.ts';
import type { AcceptedFeed } from '../feed.ts';
import type { QueryName, RawResults, Row } from '../queries.ts';
import { aborted, DuckDbHotRows, LIVE_TABLE, type HotRead, type HotStats } from './duckdb-hot.ts';

export interface DuckDbEngineOptions {
  config: Config;
  log: Logger;
  /** MongoDB database of the hot store (default config.mongoDb; tests use their own). */
  dbName?: string;
  /** Archive storage (default: from ARCHIVE_URL, createStorage). */
  storage?: ArchiveStorage;
  /** Local copies of a remote archive's files (default `<ORDERPULSE_HOME>/analytics-cache/<hash of ARCHIVE_URL>`). */
  cacheDir?: string;
  /** Hot-store cursor batch (default 10 000). */
  batchSize?: number;
  /** Parallel file copies from a remote archive (default 4). */
  copyConcurrency?: number;
  /** How the hot rows are kept up to date (default config.analyticsHotRead). */
  hotRead?: HotRead;
  /** Incremental: re-read the hot store every this many runs (default config.analyticsFullEvery). */
  fullEvery?: number;
  /** Incremental: the feed of accepted orders (required then; open.ts gives the Kafka one). */
  openFeed?: () => AcceptedFeed;
  /** Incremental: longest wait for the feed to reach the topic's end (default 30 s). */
  feedTimeoutMs?: number;
}

/** What the last run spent where (the benchmark and the logs read it). */
export interface DuckDbRunStats extends HotStats {
  /** Rows of hot_orders (after subtracting archived order_ids on a feed run). */
  hot_rows: number;
  archive_files: number;
  archive_files_loaded: number;
  archive_files_dropped: number;
  archive_bytes_copied: number;
  archive_ms: number;
  /** Building hot_orders (the subtraction on a feed run). */
  hot_view_ms: number;
  query_ms: number;
}

const CACHE_TABLE = 'archive_rows';
/** hot_orders after a feed run: live_rows minus archived order_ids. */
const DERIVED_TABLE = 'hot_derived';
const COLS = ANALYTICS_COLUMNS.map((c) => c.name);

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export class DuckDbEngine implements AnalyticsEngine {
  readonly name = 'duckdb' as const;
  private instance: DuckDBInstance | undefined;
  private conn: DuckDBConnection | undefined;
  private mongo: MongoHandle | undefined;
  private readonly storage: ArchiveStorage;
  /** Local root of a file:// archive (read in place), else undefined (files copied into cacheDir). */
  private readonly localRoot: string | undefined;
  private readonly cacheDir: string;
  /** Local file path -> archive file size whose rows are in the cache table. */
  private readonly loaded = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly hot: DuckDbHotRows;
  /** Figures of the last successful run. */
  lastStats: DuckDbRunStats | undefined;

  constructor(private readonly opts: DuckDbEngineOptions) {
    const mode = opts.hotRead ?? opts.config.analyticsHotRead;
    if (mode === 'incremental' && !opts.openFeed) throw new DependencyError('duckdb', 'incremental hot rows need a feed of accepted orders (openFeed)', { retriable: false });
    this.hot = new DuckDbHotRows({
      mode,
      fullEvery: opts.fullEvery ?? opts.config.analyticsFullEvery,
      batchSize: opts.batchSize ?? 10_000,
      feedTimeoutMs: opts.feedTimeoutMs ?? 30_000,
      mongo: () => this.db(),
      ...(opts.openFeed ? { openFeed: opts.openFeed } : {}),
      log: opts.log,
    });
    this.storage = opts.storage ?? createStorage(opts.config).storage;
    this.localRoot = this.storage instanceof LocalStorage ? this.storage.root : undefined;
    const key = createHash('sha256').update(this.storage.describe()).digest('hex').slice(0, 16);
    this.cacheDir = opts.cacheDir ?? path.join(opts.config.localDir, 'analytics-cache', key);
  }

  run(queries: Record<QueryName, string>, signal?: AbortSignal, opts: RunOptions = {}): Promise<RawResults> {
    const job = this.queue.then(() => this.runOnce(queries, signal, opts.scanHotStore === true));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async connection(): Promise<DuckDBConnection> {
    if (this.closed) throw new DependencyError('duckdb', 'the engine is closed', { retriable: true });
    if (this.conn) return this.conn;
    try {
      this.instance = await DuckDBInstance.create(':memory:');
      const conn = await this.instance.connect();
      await conn.run(`SET TimeZone = 'UTC'`);
      await conn.run(`CREATE TABLE ${CACHE_TABLE} (src VARCHAR, ${columnsDdl(DUCKDB_TYPES)})`);
      await conn.run(`CREATE VIEW archived_orders AS SELECT ${COLS.join(', ')} FROM ${CACHE_TABLE}`);
      this.conn = conn;
      return conn;
    } catch (cause) {
      this.instance?.closeSync();
      this.instance = undefined;
      throw new DependencyError('duckdb', 'could not start the embedded DuckDB (is @duckdb/node-api installed? npm install)', { cause, retriable: false });
    }
  }

  private async runOnce(queries: Record<QueryName, string>, signal: AbortSignal | undefined, scan: boolean): Promise<RawResults> {
    const conn = await this.connection();
    aborted(signal);
    const hot = await this.hot.refresh(conn, signal, scan);
    const t1 = Date.now();
    const archive = await this.syncArchive(conn, signal);
    const t2 = Date.now();
    const hotRows = await this.hotOrders(conn, hot.hot_read === 'scan');
    const t3 = Date.now();
    const out = {} as RawResults;
    for (const [name, sql] of Object.entries(queries) as [QueryName, string][]) {
      aborted(signal);
      try {
        out[name] = (await conn.runAndReadAll(sql)).getRowObjects() as Row[];
      } catch (cause) {
        throw new DependencyError('duckdb', `query ${name} failed: ${(cause as Error).message}`, { cause, retriable: false });
      }
    }
    const stats: DuckDbRunStats = { ...hot, hot_rows: hotRows, ...archive, archive_ms: t2 - t1, hot_view_ms: t3 - t2, query_ms: Date.now() - t3 };
    this.lastStats = stats;
    this.opts.log.debug('duckdb run', { ...stats });
    return out;
  }

  /**
   * `hot_orders` for the queries: after a scan, live_rows as read (what the hot store holds);
   * after a feed run, live_rows without the order_ids the archive has. Its row count.
   */
  private async hotOrders(conn: DuckDBConnection, scanned: boolean): Promise<number> {
    if (scanned) {
      await conn.run(`CREATE OR REPLACE VIEW hot_orders AS SELECT ${COLS.join(', ')} FROM ${LIVE_TABLE}`);
    } else {
      await conn.run(`CREATE OR REPLACE TABLE ${DERIVED_TABLE} AS SELECT l.* FROM ${LIVE_TABLE} l ANTI JOIN ${CACHE_TABLE} a ON a.order_id = l.order_id`);
      await conn.run(`CREATE OR REPLACE VIEW hot_orders AS SELECT ${COLS.join(', ')} FROM ${DERIVED_TABLE}`);
    }
    const rows = (await conn.runAndReadAll('SELECT count(*) AS n FROM hot_orders')).getRows();
    return Number(rows[0]![0]);
  }

  private async db(): Promise<MongoHandle> {
    this.mongo ??= await connectMongo(this.opts.config, this.opts.dbName ?? this.opts.config.mongoDb);
    return this.mongo;
  }

  /** The cache table brought to the archive's current files: new ones loaded, vanished or changed ones dropped. */
  private async syncArchive(conn: DuckDBConnection, signal?: AbortSignal): Promise<Pick<DuckDbRunStats, 'archive_files' | 'archive_files_loaded' | 'archive_files_dropped' | 'archive_bytes_copied'>> {
    const files = await listArchiveFiles(this.storage);
    const wanted = new Map<string, ArchiveFileRef>();
    for (const f of files) wanted.set(this.localPathOf(f.path), f);

    const drop = [...this.loaded].filter(([local, size]) => wanted.get(local)?.size !== size).map(([local]) => local);
    if (drop.length) {
      await conn.run(`DELETE FROM ${CACHE_TABLE} WHERE src IN (${drop.map(sqlString).join(', ')})`);
      for (const local of drop) this.loaded.delete(local);
    }
    const fresh = [...wanted].filter(([local]) => !this.loaded.has(local));
    let copied = 0;
    if (this.localRoot === undefined) {
      await pool(fresh, this.opts.copyConcurrency ?? 4, async ([local, f]) => {
        aborted(signal);
        copied += await this.copyOnce(f, local);
      });
      await this.pruneCache(new Set(wanted.keys()));
    }
    aborted(signal);
    if (fresh.length) {
      const list = `[${fresh.map(([local]) => sqlString(local)).join(', ')}]`;
      const select = ANALYTICS_COLUMNS.map((c) => `CAST(${c.name} AS ${DUCKDB_TYPES[c.kind]}) AS ${c.name}`).join(', ');
      try {
        await conn.run(`INSERT INTO ${CACHE_TABLE} SELECT filename AS src, ${select} FROM read_parquet(${list}, filename = true, union_by_name = true)`);
      } catch (cause) {
        const why = (cause as Error).message.split('\n')[0];
        throw new DependencyError('archive', `a Parquet file under ${this.storage.describe()}/orders_fact is unreadable (${why}); restore or remove it (the previous results stay served)`, {
          cause,
          retriable: false,
        });
      }
      for (const [local, f] of fresh) this.loaded.set(local, f.size);
    }
    return { archive_files: files.length, archive_files_loaded: fresh.length, archive_files_dropped: drop.length, archive_bytes_copied: copied };
  }

  private localPathOf(archivePath: string): string {
    return path.join(this.localRoot ?? this.cacheDir, '.' + archivePath);
  }

  /** Copy a remote archive file into the local cache unless a copy of the same size is there; bytes copied. */
  private async copyOnce(f: ArchiveFileRef, local: string): Promise<number> {
    const have = await fs.stat(local).catch(() => undefined);
    if (have?.size === f.size) return 0;
    const bytes = await this.storage.get(f.path);
    if (bytes.byteLength !== f.size) throw new DependencyError('archive', `${f.path}: read ${bytes.byteLength} bytes, listed ${f.size}; retry`, { retriable: true });
    await fs.mkdir(path.dirname(local), { recursive: true });
    const tmp = `${local}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, local);
    return bytes.byteLength;
  }

  /** Remove cached copies of files the archive no longer lists. */
  private async pruneCache(keep: Set<string>): Promise<void> {
    const entries = await fs.readdir(this.cacheDir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile()) continue;
      const p = path.join(e.parentPath, e.name);
      if (!keep.has(p)) await fs.rm(p, { force: true });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.hot.close().catch(() => undefined);
    this.conn?.closeSync();
    this.instance?.closeSync();
    await this.mongo?.close().catch(() => undefined);
  }
}
