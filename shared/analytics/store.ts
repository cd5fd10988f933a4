/**
 * Where batch results live between runs (Redis in production: adapters/redis-results.ts). Each
 * document is replaced whole by one SET, so readers see the previous run or the new one, never a
 * mix; a failed run writes nothing and the previous results stay served (their as_of shows age).
 */
import type { AnalyticsResult, QualityReport } from './types.ts';

export interface ResultStore {
  saveHistory(r: AnalyticsResult): Promise<void>;
  loadHistory(): Promise<AnalyticsResult | null>;
  saveQuality(q: QualityReport): Promise<void>;
  loadQuality(): Promise<QualityReport | null>;
  close(): Promise<void>;
}
