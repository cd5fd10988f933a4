/**
 * The DuckDB analytics engine, embedded (in process, no service). Per run:
 *   1. `hot_orders`: the hot store (MongoDB orders_fact), ANALYTICS_COLUMNS only, streamed in
 *      cursor batches into a fresh table through DuckDB's appender; money as DECIMAL(18,2) built
 *      from the contract's integer cents (never float arithmetic);
 *   2. `archived_orders`: a view over a cache table holding the rows of every archive data file
 *      (storage listing of `/orders_fact/dt=*`), loaded with read_parquet ONCE per file name and
 *      size (archive files are immutable: same name + size = same content) and dropped when its
 *      file disappears. A `webhdfs://` archive's files are first copied once into a local cache
 *      under ORDERPULSE_HOME (`analytics-cache/`); a `file://` archive is read in place;
 *   3. the SQL of queries.ts, unchanged.
 * The hot store is read BEFORE the archive is listed: an order archive-move deletes during the
 * scan was written to the archive before, so the listing that follows has it; an order in both
 * places (a batch half moved) counts once by the SQL.
 * Time zone: the SQL groups by the `date_key` strings (UTC days), and the session runs in UTC
 * anyway. One run at a time per engine (runs are queued).
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampTZValue, type DuckDBAppender } from '@duckdb/node-api';
import type { Document } from 'mongodb';
import { COLLECTIONS, connectMongo, type MongoHandle } from '../../adapters/mongo.ts';
import { toCents, MONEY_PRECISION, MONEY_SCALE } from '../../contract/money.ts';
import { timeAttributes, type LogicalType } from '../../contract/order.ts';
import type { Config } from '../../platform/config.ts';
import { DependencyError, OrderPulseError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { LocalStorage } from '../../archive/adapters/local-storage.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import type { ArchiveStorage } from '../../archive/ports.ts';
import { listArchiveFiles, type ArchiveFileRef } from '../../archive/reader.ts';
import { ANALYTICS_COLUMNS, DUCKDB_TYPES, columnsDdl } from '../columns.ts';
import type { AnalyticsEngine } from '../engine.ts';
import type { QueryName, RawResults, Row } from '../queries.ts';

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
}

/** What the last run spent where (the benchmark and the logs read it). */
export interface DuckDbRunStats {
  hot_rows: number;
  hot_ms: number;
  archive_files: number;
  archive_files_loaded: number;
  archive_files_dropped: number;
  archive_bytes_copied: number;
  archive_ms: number;
  query_ms: number;
}

const CACHE_TABLE = 'archive_rows';
const COLS = ANALYTICS_COLUMNS.map((c) => c.name);

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

type Append = (a: DuckDBAppender, v: unknown) => void;

/** One appender call per logical type (money: DECIMAL from integer cents). */
const APPEND: Record<LogicalType, Append> = {
  string: (a, v) => a.appendVarchar(String(v)),
  json: (a, v) => a.appendVarchar(typeof v === 'string' ? v : JSON.stringify(v)),
  int64: (a, v) => a.appendBigInt(BigInt(v as number)),
  int32: (a, v) => a.appendInteger(v as number),
  double: (a, v) => a.appendDouble(v as number),
  money: (a, v) => a.appendDecimal(new DuckDBDecimalValue(BigInt(toCents(v as number)), MONEY_PRECISION, MONEY_SCALE)),
  timestamp: (a, v) => a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt((v as Date).getTime()) * 1000n)),
};
const APPENDERS = ANALYTICS_COLUMNS.map((c) => ({ name: c.name, append: APPEND[c.kind] }));

/** Projection of the hot-store scan: the analytics columns, plus order_timestamp for a fact without date_key. */
const PROJECTION: Record<string, 0 | 1> = { _id: 0, order_timestamp: 1, ...Object.fromEntries(COLS.map((n) => [n, 1] as const)) };

function appendFact(a: DuckDBAppender, doc: Document): void {
  for (const c of APPENDERS) {
    let v: unknown = doc[c.name];
    if (c.name === 'date_key' && (v === undefined || v === null) && doc.order_timestamp instanceof Date) {
      v = timeAttributes(doc.order_timestamp.getTime(), doc.order_timestamp.toISOString()).date_key;
    }
    if (v === undefined || v === null) a.appendNull();
    else c.append(a, v);
  }
  a.endRow();
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DependencyError('duckdb', 'the analytics run was aborted (the function is shutting down); the next run starts over', { retriable: true, cause: signal.reason });
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
  /** Figures of the last successful run. */
  lastStats: DuckDbRunStats | undefined;

  constructor(private readonly opts: DuckDbEngineOptions) {
    this.storage = opts.storage ?? createStorage(opts.config).storage;
    this.localRoot = this.storage instanceof LocalStorage ? this.storage.root : undefined;
    const key = createHash('sha256').update(this.storage.describe()).digest('hex').slice(0, 16);
    this.cacheDir = opts.cacheDir ?? path.join(opts.config.localDir, 'analytics-cache', key);
  }

  run(queries: Record<QueryName, string>, signal?: AbortSignal): Promise<RawResults> {
    const job = this.queue.then(() => this.runOnce(queries, signal));
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

  private async runOnce(queries: Record<QueryName, string>, signal?: AbortSignal): Promise<RawResults> {
    const conn = await this.connection();
    aborted(signal);
    const t0 = Date.now();
    const hotRows = await this.loadHot(conn, signal);
    const t1 = Date.now();
    const archive = await this.syncArchive(conn, signal);
    const t2 = Date.now();
    const out = {} as RawResults;
    for (const [name, sql] of Object.entries(queries) as [QueryName, string][]) {
      aborted(signal);
      try {
        out[name] = (await conn.runAndReadAll(sql)).getRowObjects() as Row[];
      } catch (cause) {
        throw new DependencyError('duckdb', `query ${name} failed: ${(cause as Error).message}`, { cause, retriable: false });
      }
    }
    const stats: DuckDbRunStats = { hot_rows: hotRows, hot_ms: t1 - t0, ...archive, archive_ms: t2 - t1, query_ms: Date.now() - t2 };
    this.lastStats = stats;
    this.opts.log.debug('duckdb run', { ...stats });
    return out;
  }

  private async db(): Promise<MongoHandle> {
    this.mongo ??= await connectMongo(this.opts.config, this.opts.dbName ?? this.opts.config.mongoDb);
    return this.mongo;
  }

  /** `hot_orders` replaced by the hot store's current facts (streamed, appended in batches). */
  private async loadHot(conn: DuckDBConnection, signal?: AbortSignal): Promise<number> {
    const mongo = await this.db();
    await conn.run(`CREATE OR REPLACE TABLE hot_orders (${columnsDdl(DUCKDB_TYPES)})`);
    const appender = await conn.createAppender('hot_orders');
    const batchSize = this.opts.batchSize ?? 10_000;
    const cursor = mongo.db.collection(COLLECTIONS.fact).find({}, { projection: PROJECTION, batchSize });
    let n = 0;
    try {
      for await (const doc of cursor) {
        appendFact(appender, doc);
        if (++n % batchSize === 0) aborted(signal);
      }
      appender.flushSync();
    } catch (cause) {
      if (cause instanceof OrderPulseError) throw cause;
      throw new DependencyError('mongodb', `reading ${mongo.db.databaseName}.${COLLECTIONS.fact} into DuckDB failed (${(cause as Error).message}); is the stack up? (npm run stack -- status)`, { cause });
    } finally {
      try {
        appender.closeSync();
      } catch {
        // already failed: the table is replaced by the next run
      }
      await cursor.close().catch(() => undefined);
    }
    return n;
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
    this.conn?.closeSync();
    this.instance?.closeSync();
    await this.mongo?.close().catch(() => undefined);
  }
}
