/**
 * The batch analytics computed independently of any engine and of the SQL: a plain TypeScript
 * fold over the seeded facts (each order once, money in integer cents), in the shape of an
 * AnalyticsResult without engine, as_of and took_ms. Definitions: docs/contracts.md §4, §10.
 */
import { toCents } from '../shared/contract/money.ts';
import type { FactDoc } from '../shared/contract/order.ts';
import type { AnalyticsResult, CategoryRaw, DailyRaw, PaymentDailyRaw, Placement, StateCategoryRaw } from '../shared/analytics/types.ts';

export type ExpectedAnalytics = Omit<AnalyticsResult, 'engine' | 'as_of' | 'took_ms'>;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function group<T>(m: Map<string, T>, key: string, init: () => T): T {
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = init()));
  return v;
}

/** `facts`: every accepted order once; `placement`: where they are (counted by the test's own bookkeeping). */
export function expectedAnalytics(facts: readonly FactDoc[], placement: Placement): ExpectedAnalytics {
  const customers = new Set<string>();
  const summary = { orders: 0, paid_orders: 0, revenue_cents: 0, unique_customers: 0, payment_success: 0 };
  const daily = new Map<string, DailyRaw & { customers: Set<string> }>();
  const categories = new Map<string, CategoryRaw>();
  const cells = new Map<string, StateCategoryRaw>();
  const payments = new Map<string, PaymentDailyRaw>();
  for (const f of facts) {
    const paid = f.payment_status === 'success' && f.order_status !== 'cancelled';
    const cents = paid ? toCents(f.total_amount) : 0;
    summary.orders++;
    summary.paid_orders += paid ? 1 : 0;
    summary.revenue_cents += cents;
    summary.payment_success += f.payment_status === 'success' ? 1 : 0;
    customers.add(f.customer_id);
    const d = group(daily, f.date_key, () => ({ day: f.date_key, orders: 0, paid_orders: 0, revenue_cents: 0, unique_customers: 0, customers: new Set<string>() }));
    d.orders++;
    d.paid_orders += paid ? 1 : 0;
    d.revenue_cents += cents;
    d.customers.add(f.customer_id);
    const c = group(categories, f.product_category, () => ({ category: f.product_category, orders: 0, quantity: 0, revenue_cents: 0 }));
    c.orders++;
    c.quantity += f.order_status === 'cancelled' ? 0 : f.quantity;
    c.revenue_cents += cents;
    const s = group(cells, `${f.state}\u0000${f.product_category}`, () => ({ state: f.state, category: f.product_category, orders: 0, revenue_cents: 0 }));
    s.orders++;
    s.revenue_cents += cents;
    const p = group(payments, `${f.date_key}\u0000${f.payment_method}`, () => ({ day: f.date_key, method: f.payment_method, attempts: 0, failed: 0 }));
    p.attempts++;
    p.failed += f.payment_status === 'failed' ? 1 : 0;
  }
  summary.unique_customers = customers.size;
  return {
    summary,
    daily: [...daily.values()].sort((a, b) => cmp(a.day, b.day)).map(({ customers: cs, ...d }) => ({ ...d, unique_customers: cs.size })),
    categories: [...categories.values()].sort((a, b) => b.revenue_cents - a.revenue_cents || cmp(a.category, b.category)),
    state_category: [...cells.values()].sort((a, b) => cmp(a.state, b.state) || cmp(a.category, b.category)),
    payments_daily: [...payments.values()].sort((a, b) => cmp(a.day, b.day) || cmp(a.method, b.method)),
    placement,
  };
}

/** An AnalyticsResult without its run-dependent fields, to compare with expectedAnalytics. */
export function comparable(r: AnalyticsResult): ExpectedAnalytics {
  const { engine: _e, as_of: _a, took_ms: _t, ...rest } = r;
  return rest;
}
