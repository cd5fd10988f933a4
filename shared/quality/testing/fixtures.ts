/**
 * Hand-made inputs of the quality tests: three orders, seen by the live views and by a batch run.
 *   a  2026-01-01  CA Books  paypal  success  completed  20.10  c1   (archived and still hot: mid-move)
 *   b  2026-01-01  CA Toys   crypto  failed   cancelled   5.05  c2   (archived)
 *   c  2026-01-02  NY Books  paypal  success  pending     0.30  c1   (hot)
 * The live side is built with the KPI stage's own buildViews, so its formulas are the served ones.
 */
import type { AnalyticsResult } from '../../analytics/types.ts';
import type { RawSnapshot } from '../../kpi/types.ts';
import { buildViews } from '../../kpi/views.ts';
import { VIEW_NAMES, type ViewName } from '../../kpi/types.ts';
import { parseLiveViews, type LiveKpis } from '../live.ts';

export function batchOf3(): AnalyticsResult {
  return {
    engine: 'duckdb',
    as_of: '2026-01-03T00:00:01.000Z',
    took_ms: 12,
    summary: { orders: 3, paid_orders: 2, revenue_cents: 2040, unique_customers: 2, payment_success: 2 },
    daily: [
      { day: '2026-01-01', orders: 2, paid_orders: 1, revenue_cents: 2010, unique_customers: 2 },
      { day: '2026-01-02', orders: 1, paid_orders: 1, revenue_cents: 30, unique_customers: 1 },
    ],
    categories: [
      { category: 'Books', orders: 2, quantity: 5, revenue_cents: 2040 },
      { category: 'Toys', orders: 1, quantity: 0, revenue_cents: 0 },
    ],
    state_category: [
      { state: 'CA', category: 'Books', orders: 1, revenue_cents: 2010 },
      { state: 'CA', category: 'Toys', orders: 1, revenue_cents: 0 },
      { state: 'NY', category: 'Books', orders: 1, revenue_cents: 30 },
    ],
    payments_daily: [
      { day: '2026-01-01', method: 'crypto', attempts: 1, failed: 1 },
      { day: '2026-01-01', method: 'paypal', attempts: 1, failed: 0 },
      { day: '2026-01-02', method: 'paypal', attempts: 1, failed: 0 },
    ],
    placement: { orders_hot: 2, orders_archived: 2, duplicates_archived: 0, in_both: 1 },
  };
}

export function snapshotOf3(): RawSnapshot {
  return {
    version: 7,
    orders: 3,
    paid_orders: 2,
    revenue_cents: 2040,
    success: 2,
    unique_customers: 2,
    max_ts: Date.UTC(2026, 0, 2, 9),
    minutes: [],
    top_products: [],
    states: [
      { state: 'CA', orders: 2, revenue_cents: 2010 },
      { state: 'NY', orders: 1, revenue_cents: 30 },
    ],
    payments: [
      { method: 'paypal', attempts: 2, success: 2, failed: 0, processing_us: 300_000 },
      { method: 'crypto', attempts: 1, success: 0, failed: 1, processing_us: 90_000 },
    ],
    segments: [],
  };
}

/** The views of a snapshot as Redis serves them (JSON strings), optionally edited, read back. */
export function liveOf(s: RawSnapshot, edit: (views: Record<ViewName, unknown>) => void = () => undefined): LiveKpis {
  const views = buildViews(s, '2026-01-03T00:00:00.000Z') as unknown as Record<ViewName, unknown>;
  edit(views);
  return parseLiveViews({ version: s.version, views: Object.fromEntries(VIEW_NAMES.map((n) => [n, JSON.stringify(views[n])])) as Record<ViewName, string> });
}
