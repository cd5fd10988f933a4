/**
 * Wiring of the batch analytics: the configured engine (ANALYTICS_ENGINE) and the Redis result
 * store. The function (functions/analytics), the benchmark and the tests open them here.
 */
import type { Config } from '../../platform/config.ts';
import { ConfigError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import type { AnalyticsEngine } from '../engine.ts';
import type { EngineName } from '../types.ts';
import { RedisResultStore } from './redis-results.ts';
import { SparkEngine, type SparkEngineOptions } from './spark-engine.ts';

export interface OpenEngineOptions {
  /** Engine to open instead of config.analyticsEngine (a call's `engine` override). */
  engine?: EngineName;
  /** MongoDB database of the hot store (default config.mongoDb). */
  dbName?: string;
  /** Spark: further options (tests and the benchmark). */
  spark?: Partial<SparkEngineOptions>;
}

export function openEngine(config: Config, log: Logger, opts: OpenEngineOptions = {}): AnalyticsEngine {
  const name = opts.engine ?? config.analyticsEngine;
  switch (name) {
    case 'duckdb':
      throw new ConfigError('ANALYTICS_ENGINE=duckdb: the DuckDB engine comes from shared/analytics/adapters/duckdb-engine.ts (not in this branch)');
    case 'spark':
      return new SparkEngine(config, log.child({ engine: 'spark' }), { ...(opts.dbName ? { dbName: opts.dbName } : {}), ...opts.spark });
  }
}

/** The result store of config (REDIS_URL, KPI_PREFIX): `<KPI_PREFIX>history` and `<KPI_PREFIX>quality`. */
export function openResultStore(config: Config, name: string, log?: Logger): RedisResultStore {
  return RedisResultStore.open(config.redisUrl, config.kpiPrefix, name, log);
}
