/**
 * The analytics engine port: runs the SQL of queries.ts over the two relations `hot_orders` and
 * `archived_orders` (ANALYTICS_COLUMNS) and returns the rows. DuckDB embedded
 * (adapters/duckdb-engine.ts) and Spark over the network (adapters/spark-engine.ts) implement it;
 * where each reads the hot store and the archive from is the adapter's business.
 */
import type { QueryName, RawResults } from './queries.ts';
import type { EngineName } from './types.ts';

export interface RunOptions {
  /**
   * Read the hot store itself this run, instead of what an engine may keep between runs (the
   * DuckDB engine's incremental hot rows): the quality check measures placement this way.
   * Engines that always read it (Spark) ignore the flag.
   */
  scanHotStore?: boolean;
}

export interface AnalyticsEngine {
  readonly name: EngineName;
  run(queries: Record<QueryName, string>, signal?: AbortSignal, opts?: RunOptions): Promise<RawResults>;
  close(): Promise<void>;
}
