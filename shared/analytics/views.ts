/**
 * The served history views (docs/contracts.md §10): pure, integer cents in, 2-decimal amounts out,
 * each carrying the engine and as_of of the run that computed it.
 */
import { fromCents } from '../contract/money.ts';
import { averageAmount, rate } from '../kpi/money.ts';
import type { AnalyticsResult } from './types.ts';

export function historySummary(r: AnalyticsResult) {
  const s = r.summary;
  return {
    orders: s.orders,
    paid_orders: s.paid_orders,
    revenue: fromCents(s.revenue_cents),
    aov: averageAmount(s.revenue_cents, s.paid_orders),
    unique_customers: s.unique_customers,
    payment_success_rate: rate(s.payment_success, s.orders),
    engine: r.engine,
    as_of: r.as_of,
  };
}

export function historyDaily(r: AnalyticsResult) {
  return { engine: r.engine, as_of: r.as_of, days: r.daily.map((d) => ({ day: d.day, orders: d.orders, paid_orders: d.paid_orders, revenue: fromCents(d.revenue_cents), unique_customers: d.unique_customers })) };
}

export function historyCategories(r: AnalyticsResult) {
  return { engine: r.engine, as_of: r.as_of, categories: r.categories.map((c) => ({ category: c.category, orders: c.orders, quantity: c.quantity, revenue: fromCents(c.revenue_cents) })) };
}

export function historyStateCategory(r: AnalyticsResult) {
  return { engine: r.engine, as_of: r.as_of, cells: r.state_category.map((c) => ({ state: c.state, category: c.category, orders: c.orders, revenue: fromCents(c.revenue_cents) })) };
}

export function historyPaymentsDaily(r: AnalyticsResult) {
  return { engine: r.engine, as_of: r.as_of, rows: r.payments_daily.map((p) => ({ day: p.day, method: p.method, attempts: p.attempts, failed: p.failed, success_rate: rate(p.attempts - p.failed, p.attempts) })) };
}

export const HISTORY_VIEWS = {
  summary: historySummary,
  daily: historyDaily,
  categories: historyCategories,
  'state-category': historyStateCategory,
  'payments-daily': historyPaymentsDaily,
} as const;

export type HistoryViewName = keyof typeof HISTORY_VIEWS;
