/**
 * Process-level wiring of the quality check: the served KPI views (Redis), the analytics engine
 * (given by the caller: the configured engine's factory), the result store (Redis) and the DLQ
 * reader (Kafka). One runtime per function process; `check()` runs one check (shared/quality/check.ts).
 */
import type { AnalyticsEngine } from '../../analytics/engine.ts';
import { runAnalytics } from '../../analytics/run.ts';
import { RedisResultStore } from '../../analytics/adapters/redis-results.ts';
import { createKafka } from '../../adapters/kafka.ts';
import { RedisKpiStore } from '../../kpi/adapters/redis-store.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/log.ts';
import { runQualityCheck, type QualityOptions } from '../check.ts';
import { readLive } from '../live.ts';
import type { QualityCheckReport } from '../types.ts';
import { readDlqCounts } from './kafka-dlq.ts';

export type EngineFactory = (config: Config, log: Logger) => AnalyticsEngine | Promise<AnalyticsEngine>;

export interface QualityRuntime {
  engine: AnalyticsEngine;
  results: RedisResultStore;
  kpi: RedisKpiStore;
  check(opts?: QualityOptions & { dlqTimeoutMs?: number }): Promise<QualityCheckReport>;
  close(): Promise<void>;
}

export async function openQualityRuntime(config: Config, log: Logger, openEngine: EngineFactory): Promise<QualityRuntime> {
  const engine = await openEngine(config, log);
  const kpi = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-quality', log);
  const results = RedisResultStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-quality-results', log);
  const kafka = createKafka(config, 'orderpulse-quality', log);
  return {
    engine,
    results,
    kpi,
    check: (opts = {}) =>
      runQualityCheck(
        {
          readLive: () => readLive(kpi),
          // The check measures placement: the hot store itself is read, not the engine's incremental rows.
          runBatch: (signal) => runAnalytics(engine, results, log, signal, { scanHotStore: true }),
          readDlq: (signal) => readDlqCounts(kafka, config.topics.dlq, { timeoutMs: opts.dlqTimeoutMs, signal, log }),
          save: (r) => results.saveQuality(r),
          log,
        },
        opts,
      ),
    async close() {
      await Promise.allSettled([engine.close(), kpi.close(), results.close()]);
    },
  };
}
