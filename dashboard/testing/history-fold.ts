/**
 * A plain fold of accepted orders into an AnalyticsResult (docs/contracts.md §10, definitions of
 * §4), for the dashboard's tests and screenshots: realistic stored results without an engine.
 * It is a fixture, not a reference for the engines (their parity is tested on the engines).
 */
import type { OrderEvent } from '../../shared/contract/types.ts';
import type { AnalyticsResult, EngineName } from '../../shared/analytics/types.ts';

const cents = (x: number): number => Math.round(x * 100);
const byKey = <T>(m: Map<string, T>): [string, T][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function foldHistory(accepted: readonly OrderEvent[], opts: { engine?: EngineName; asOf?: Date; archived?: number; tookMs?: number } = {}): AnalyticsResult {
  const customers = new Set<string>();
  const sum = { orders: 0, paid_orders: 0, revenue_cents: 0, payment_success: 0 };
  const daily = new Map<string, { orders: number; paid_orders: number; revenue_cents: number; customers: Set<string> }>();
  const cats = new Map<string, { orders: number; quantity: number; revenue_cents: number }>();
  const cells = new Map<string, { state: string; category: string; orders: number; revenue_cents: number }>();
  const pays = new Map<string, { day: string; method: string; attempts: number; failed: number }>();
  for (const e of accepted) {
    const paid = e.payment.status === 'success' && e.order_status !== 'cancelled';
    const rev = paid ? cents(e.total_amount) : 0;
    const day = e.order_timestamp.slice(0, 10);
    const category = e.product.category ?? '';
    const state = e.customer.state ?? '';
    sum.orders++;
    sum.paid_orders += paid ? 1 : 0;
    sum.revenue_cents += rev;
    sum.payment_success += e.payment.status === 'success' ? 1 : 0;
    customers.add(e.customer.customer_id);
    const d = daily.get(day) ?? { orders: 0, paid_orders: 0, revenue_cents: 0, customers: new Set<string>() };
    d.orders++;
    d.paid_orders += paid ? 1 : 0;
    d.revenue_cents += rev;
    d.customers.add(e.customer.customer_id);
    daily.set(day, d);
    const k = cats.get(category) ?? { orders: 0, quantity: 0, revenue_cents: 0 };
    k.orders++;
    k.quantity += e.order_status === 'cancelled' ? 0 : e.quantity;
    k.revenue_cents += rev;
    cats.set(category, k);
    const cell = cells.get(`${state}\u0000${category}`) ?? { state, category, orders: 0, revenue_cents: 0 };
    cell.orders++;
    cell.revenue_cents += rev;
    cells.set(`${state}\u0000${category}`, cell);
    const method = e.payment.method ?? '';
    const p = pays.get(`${day}\u0000${method}`) ?? { day, method, attempts: 0, failed: 0 };
    p.attempts++;
    p.failed += e.payment.status === 'failed' ? 1 : 0;
    pays.set(`${day}\u0000${method}`, p);
  }
  const archived = Math.min(opts.archived ?? 0, sum.orders);
  return {
    engine: opts.engine ?? 'duckdb',
    as_of: (opts.asOf ?? new Date()).toISOString(),
    took_ms: opts.tookMs ?? 85,
    summary: { ...sum, unique_customers: customers.size },
    daily: byKey(daily).map(([day, d]) => ({ day, orders: d.orders, paid_orders: d.paid_orders, revenue_cents: d.revenue_cents, unique_customers: d.customers.size })),
    categories: byKey(cats)
      .map(([category, k]) => ({ category, ...k }))
      .sort((a, b) => b.revenue_cents - a.revenue_cents || (a.category < b.category ? -1 : 1)),
    state_category: byKey(cells).map(([, c]) => c),
    payments_daily: byKey(pays).map(([, p]) => p),
    placement: { orders_hot: sum.orders - archived, orders_archived: archived, duplicates_archived: 0, in_both: 0 },
  };
}
