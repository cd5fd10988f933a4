/**
 * quality (no trigger by default: Airflow's data_quality_monitoring POSTs it; POST
 * /function/quality through the gateway runs it on demand). POST runs a check and answers the
 * report (200 whatever it found; callers fail on `mismatches > 0`); GET answers the last stored
 * report (404 before the first). Details: functions/quality/quality.ts, docs/analytics.md "Data quality".
 */
import { openEngine } from '../../shared/analytics/adapters/open.ts';
import { qualityFunction } from './quality.ts';

// A check measures placement, so its engine reads the hot store every run (no Kafka feed kept).
const fn = qualityFunction((config, log) => openEngine(config, log, { duckdb: { hotRead: 'full' } }));

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
