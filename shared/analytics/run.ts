/**
 * One analytics run: every query on the engine, one normalised result, saved whole. A failure
 * (engine down, a query refused) saves nothing: the previous results stay served, and their
 * as_of shows how old they are.
 */
import type { Logger } from '../platform/log.ts';
import type { AnalyticsEngine, RunOptions } from './engine.ts';
import { QUERIES } from './queries.ts';
import { toResult } from './results.ts';
import type { ResultStore } from './store.ts';
import type { AnalyticsResult } from './types.ts';

export async function runAnalytics(engine: AnalyticsEngine, store: ResultStore, log: Logger, signal?: AbortSignal, opts: RunOptions = {}): Promise<AnalyticsResult> {
  const t0 = Date.now();
  const raw = await engine.run(QUERIES, signal, opts);
  const result = toResult(engine.name, raw, Date.now() - t0);
  await store.saveHistory(result);
  log.info('analytics run', { engine: engine.name, ms: result.took_ms, orders: result.summary.orders, days: result.daily.length, placement: result.placement });
  return result;
}
