/**
 * An in-memory ResultStore with the change notices of RedisResultStore (for the dashboard's unit
 * tests: no Redis), and a small AnalyticsResult / QualityReport to store in it.
 */
import { DependencyError } from '../../shared/platform/errors.ts';
import type { ResultStore } from '../../shared/analytics/store.ts';
import type { AnalyticsResult, QualityReport } from '../../shared/analytics/types.ts';
import type { ResultDoc, ResultSource } from '../results.ts';

export class MemoryResultStore implements ResultStore, ResultSource {
  private history: string | null = null;
  private quality: string | null = null;
  private readonly subscribers = new Set<(doc?: ResultDoc) => void>();
  /** Reads fail while set (Redis down). */
  failing = false;
  /** Saves notify subscribers unless cleared (a lost message). */
  publish = true;
  loads = 0;

  async saveHistory(r: AnalyticsResult): Promise<void> {
    this.history = JSON.stringify(r);
    this.notify('history');
  }

  async saveQuality(q: QualityReport): Promise<void> {
    this.quality = JSON.stringify(q);
    this.notify('quality');
  }

  async loadHistory(): Promise<AnalyticsResult | null> {
    return this.load(this.history) as Promise<AnalyticsResult | null>;
  }

  async loadQuality(): Promise<QualityReport | null> {
    return this.load(this.quality) as Promise<QualityReport | null>;
  }

  async subscribe(onChange: (doc?: ResultDoc) => void): Promise<() => Promise<void>> {
    this.subscribers.add(onChange);
    return async () => void this.subscribers.delete(onChange);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  private async load(raw: string | null): Promise<unknown> {
    this.loads++;
    if (this.failing) throw new DependencyError('redis', 'memory result store: down (as RedisResultStore fails when Redis does not answer)');
    return raw === null ? null : JSON.parse(raw);
  }

  private notify(doc: ResultDoc): void {
    if (this.publish) for (const s of this.subscribers) s(doc);
  }
}

export function sampleResult(over: Partial<AnalyticsResult> = {}): AnalyticsResult {
  return {
    engine: 'duckdb',
    as_of: '2026-11-24T12:01:05.000Z',
    took_ms: 120,
    summary: { orders: 5, paid_orders: 3, revenue_cents: 30_001, unique_customers: 4, payment_success: 4 },
    daily: [
      { day: '2026-11-23', orders: 2, paid_orders: 1, revenue_cents: 10_000, unique_customers: 2 },
      { day: '2026-11-24', orders: 3, paid_orders: 2, revenue_cents: 20_001, unique_customers: 3 },
    ],
    categories: [
      { category: 'Electronics', orders: 2, quantity: 3, revenue_cents: 20_001 },
      { category: 'Books', orders: 3, quantity: 4, revenue_cents: 10_000 },
    ],
    state_category: [
      { state: 'CA', category: 'Books', orders: 1, revenue_cents: 10_000 },
      { state: 'CA', category: 'Electronics', orders: 2, revenue_cents: 20_001 },
      { state: 'NY', category: 'Books', orders: 2, revenue_cents: 0 },
    ],
    payments_daily: [
      { day: '2026-11-23', method: 'credit_card', attempts: 2, failed: 1 },
      { day: '2026-11-24', method: 'paypal', attempts: 3, failed: 0 },
    ],
    placement: { orders_hot: 3, orders_archived: 2, duplicates_archived: 0, in_both: 0 },
    ...over,
  };
}

export function sampleQuality(over: Partial<QualityReport> = {}): QualityReport {
  return {
    as_of: '2026-11-24T12:01:30.000Z',
    engine: 'duckdb',
    checked_fields: 40,
    mismatches: 0,
    orders_hot: 3,
    orders_archived: 2,
    duplicates_archived: 0,
    dlq_by_reason: { schema: 2, total_mismatch: 1 },
    details: [],
    ...over,
  };
}
