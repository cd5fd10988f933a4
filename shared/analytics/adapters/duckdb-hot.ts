/**
 * The hot rows of the DuckDB engine: table `live_rows` (ANALYTICS_COLUMNS, order_id primary
 * key), kept between runs. Two ways to bring it up to date (ANALYTICS_HOT_READ):
 *
 *   full         every run re-reads the hot store (MongoDB orders_fact): one cursor, streamed
 *                through DuckDB's appender into a fresh table;
 *   incremental  the hot store is read at the first run, every `fullEvery` runs (repair), when a
 *                caller asks (`full`), and when the feed lost messages (retention) or failed;
 *                in between, the orders accepted since come from the feed (Kafka
 *                `orders.accepted`), appended with INSERT OR IGNORE by order_id (accepted orders
 *                never change; the topic repeats an order on a redelivery).
 *
 * A scan takes the feed's end offsets BEFORE it starts and places the feed there afterwards:
 * ingest stores the fact before it sends the accepted event, so every order behind those
 * offsets is in the scan, every later one comes through the feed, and one in both counts once.
 * After a feed run `live_rows` holds every order accepted since the last scan, including those
 * archive-move has since taken out of the hot store: the engine subtracts the archived order_ids
 * (duckdb-engine.ts). After a scan it holds exactly the hot store as read.
 */
import { DuckDBDecimalValue, DuckDBTimestampTZValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { COLLECTIONS, type MongoHandle } from '../../adapters/mongo.ts';
import { MONEY_PRECISION, MONEY_SCALE, toCents } from '../../contract/money.ts';
import type { LogicalType } from '../../contract/order.ts';
import { DependencyError, OrderPulseError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { ANALYTICS_COLUMNS, DUCKDB_TYPES, columnsDdl } from '../columns.ts';
import { lostPartitions, type AcceptedFeed, type Offsets, type PartitionRange } from '../feed.ts';
import { rowFromFact, type AnalyticsRow } from '../rows.ts';

export type HotRead = 'full' | 'incremental';

export interface HotRowsOptions {
  mode: HotRead;
  /** Incremental: a scan every this many runs (0: only at start, on request and on repair). */
  fullEvery: number;
  /** Hot-store cursor batch. */
  batchSize: number;
  /** Longest wait for the feed to reach the topic's end offsets. */
  feedTimeoutMs: number;
  mongo(): Promise<MongoHandle>;
  /** Incremental only: opens the feed (once). */
  openFeed?: () => AcceptedFeed;
  log: Logger;
}

export interface HotStats {
  /** How this run brought the hot rows up to date. */
  hot_read: 'scan' | 'feed';
  /** Why a scan happened (incremental mode): start, every, asked, lost, failed. */
  scan_reason?: 'start' | 'every' | 'asked' | 'lost' | 'failed' | 'mode';
  /** Documents read from the hot store (scan). */
  hot_scanned: number;
  /** Rows taken from the feed (feed). */
  feed_rows: number;
  feed_invalid: number;
  hot_ms: number;
}

export const LIVE_TABLE = 'live_rows';
const STAGE_TABLE = 'feed_stage';

type Append = (a: DuckDBAppender, v: string | number) => void;

/** One appender call per logical type (money: DECIMAL from integer cents, never float arithmetic). */
const APPEND: Record<LogicalType, Append> = {
  string: (a, v) => a.appendVarchar(String(v)),
  json: (a, v) => a.appendVarchar(String(v)),
  int64: (a, v) => a.appendBigInt(BigInt(v)),
  int32: (a, v) => a.appendInteger(Number(v)),
  double: (a, v) => a.appendDouble(Number(v)),
  money: (a, v) => a.appendDecimal(new DuckDBDecimalValue(BigInt(toCents(Number(v))), MONEY_PRECISION, MONEY_SCALE)),
  timestamp: (a, v) => a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(v) * 1000n)),
};
const APPENDERS = ANALYTICS_COLUMNS.map((c) => ({ name: c.name, append: APPEND[c.kind] }));

/** Projection of the hot-store scan: the analytics columns, plus order_timestamp for a fact without date_key. */
const PROJECTION: Record<string, 0 | 1> = { _id: 0, order_timestamp: 1, ...Object.fromEntries(ANALYTICS_COLUMNS.map((c) => [c.name, 1] as const)) };

function appendRow(a: DuckDBAppender, row: AnalyticsRow): void {
  for (const c of APPENDERS) {
    const v = row[c.name];
    if (v === null) a.appendNull();
    else c.append(a, v);
  }
  a.endRow();
}

export function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DependencyError('duckdb', 'the analytics run was aborted (the function is shutting down); the next run starts over', { retriable: true, cause: signal.reason });
}

function highs(ranges: ReadonlyMap<number, PartitionRange>): Offsets {
  return new Map([...ranges].map(([p, r]) => [p, r.high]));
}

export class DuckDbHotRows {
  private feed: AcceptedFeed | undefined;
  /** Incremental: live_rows and the feed's positions agree (a scan placed the feed). */
  private following = false;
  private runsSinceScan = 0;
  private scanned = false;

  constructor(private readonly opts: HotRowsOptions) {}

  /** Bring live_rows up to date (a scan when `scan` or when the mode and state call for one). */
  async refresh(conn: DuckDBConnection, signal: AbortSignal | undefined, scan: boolean): Promise<HotStats> {
    const t0 = Date.now();
    const o = this.opts;
    let reason: HotStats['scan_reason'] =
      o.mode === 'full' ? 'mode'
      : !this.following ? (this.scanned ? 'failed' : 'start')
      : scan ? 'asked'
      : o.fullEvery > 0 && this.runsSinceScan >= o.fullEvery ? 'every'
      : undefined;
    if (reason === undefined) {
      const feed = this.feed!;
      try {
        const ranges = await feed.ranges();
        const lost = lostPartitions(feed.positions(), ranges);
        if (lost.length > 0) {
          o.log.warn('analytics feed: the broker no longer has messages not yet read (retention); re-reading the hot store', { partitions: lost });
          reason = 'lost';
        } else {
          const r = await feed.drain(highs(ranges), (rows) => this.insert(conn, rows), { timeoutMs: o.feedTimeoutMs, signal });
          this.runsSinceScan++;
          return { hot_read: 'feed', hot_scanned: 0, feed_rows: r.rows, feed_invalid: r.invalid, hot_ms: Date.now() - t0 };
        }
      } catch (e) {
        this.following = false;
        throw e;
      }
    }
    this.following = false;
    let from: Offsets | undefined;
    if (o.mode === 'incremental') {
      this.feed ??= o.openFeed!();
      from = highs(await this.feed.ranges());
    }
    const scanned = await this.scan(conn, signal);
    this.scanned = true;
    if (from !== undefined) {
      await this.feed!.seek(from);
      this.following = true;
      this.runsSinceScan = 0;
    }
    return { hot_read: 'scan', scan_reason: reason, hot_scanned: scanned, feed_rows: 0, feed_invalid: 0, hot_ms: Date.now() - t0 };
  }

  /** live_rows replaced by the hot store's current facts (streamed, appended in batches). */
  private async scan(conn: DuckDBConnection, signal?: AbortSignal): Promise<number> {
    const mongo = await this.opts.mongo();
    await conn.run(`CREATE OR REPLACE TABLE ${LIVE_TABLE} (${columnsDdl(DUCKDB_TYPES)}, PRIMARY KEY (order_id))`);
    const appender = await conn.createAppender(LIVE_TABLE);
    const batchSize = this.opts.batchSize;
    const cursor = mongo.db.collection(COLLECTIONS.fact).find({}, { projection: PROJECTION, batchSize });
    let n = 0;
    try {
      for await (const doc of cursor) {
        appendRow(appender, rowFromFact(doc));
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
        // already failed: the table is replaced by the next scan
      }
      await cursor.close().catch(() => undefined);
    }
    return n;
  }

  /** Rows from the feed into live_rows, each order_id once. */
  private async insert(conn: DuckDBConnection, rows: AnalyticsRow[]): Promise<void> {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE_TABLE} (${columnsDdl(DUCKDB_TYPES)})`);
    const appender = await conn.createAppender(STAGE_TABLE);
    try {
      for (const row of rows) appendRow(appender, row);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await conn.run(`INSERT OR IGNORE INTO ${LIVE_TABLE} SELECT * FROM ${STAGE_TABLE}`);
  }

  async close(): Promise<void> {
    await this.feed?.close();
    this.feed = undefined;
  }
}
