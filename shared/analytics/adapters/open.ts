/**
 * Wiring of the batch analytics: the configured engine (ANALYTICS_ENGINE) and the Redis result
 * store. The function (functions/analytics), the benchmark and the tests open them here.
 */
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/log.ts';
import type { AnalyticsEngine } from '../engine.ts';
import type { EngineName } from '../types.ts';
import { createKafka } from '../../adapters/kafka.ts';
import { DuckDbEngine, type DuckDbEngineOptions } from './duckdb-engine.ts';
import { KafkaAcceptedFeed } from './kafka-feed.ts';
import { RedisResultStore } from './redis-results.ts';
import { SparkEngine, type SparkEngineOptions } from './spark-engine.ts';

export interface OpenEngineOptions {
  /** Engine to open instead of config.analyticsEngine (a call's `engine` override). */
  engine?: EngineName;
  /** DuckDB: MongoDB database of the hot store (default config.mongoDb). */
  dbName?: string;
  /** DuckDB: further options (tests and the benchmark). */
  duckdb?: Partial<Omit<DuckDbEngineOptions, 'config' | 'log'>>;
  /** Spark: further options (tests and the benchmark). */
  spark?: Partial<SparkEngineOptions>;
}

export function openEngine(config: Config, log: Logger, opts: OpenEngineOptions = {}): AnalyticsEngine {
  const name = opts.engine ?? config.analyticsEngine;
  switch (name) {
    case 'duckdb': {
      const l = log.child({ engine: 'duckdb' });
      // The accepted orders of config.topics.accepted (used when the hot rows are incremental).
      const openFeed = () => new KafkaAcceptedFeed(createKafka(config, 'orderpulse-analytics', l), config.topics.accepted, l);
      return new DuckDbEngine({ config, log: l, openFeed, ...(opts.dbName ? { dbName: opts.dbName } : {}), ...opts.duckdb });
    }
    case 'spark':
      return new SparkEngine(config, log.child({ engine: 'spark' }), { ...(opts.dbName ? { dbName: opts.dbName } : {}), ...opts.spark });
  }
}

/** The result store of config (REDIS_URL, KPI_PREFIX): `<KPI_PREFIX>history` and `<KPI_PREFIX>quality`. */
export function openResultStore(config: Config, name: string, log?: Logger): RedisResultStore {
  return RedisResultStore.open(config.redisUrl, config.kpiPrefix, name, log);
}
