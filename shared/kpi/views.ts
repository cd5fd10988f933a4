/**
 * Build the served views (docs/contracts.md §4/§5) from one raw snapshot: pure, integer cents in,
 * 2-decimal amounts out. Orders of rows:
 *   revenue_per_minute  oldest minute first, always 60 rows once there is an order
 *   top_products        quantity desc, ties by product_id (code point order), at most 10
 *   orders_by_state     orders desc, ties by state
 *   payments, segments  the contract's enum order (credit_card, debit_card, paypal, crypto;
 *                       premium, regular, budget), then any other value by name
 */
import { fromCents } from '../contract/money.ts';
import { PAYMENT_METHODS, SEGMENTS } from '../contract/order.ts';
import { averageAmount, averageMs, minuteIso, rate } from './money.ts';
import type { RawSnapshot, Views } from './types.ts';

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function enumOrder(known: readonly string[]): (a: string, b: string) => number {
  const rank = (s: string): number => {
    const i = known.indexOf(s);
    return i < 0 ? known.length : i;
  };
  return (a, b) => rank(a) - rank(b) || byCodePoint(a, b);
}

const methodOrder = enumOrder(PAYMENT_METHODS);
const segmentOrder = enumOrder(SEGMENTS);

export function buildViews(s: RawSnapshot, asOf: string): Views {
  return {
    summary: {
      orders: s.orders,
      paid_orders: s.paid_orders,
      revenue: fromCents(s.revenue_cents),
      aov: averageAmount(s.revenue_cents, s.paid_orders),
      unique_customers: s.unique_customers,
      payment_success_rate: rate(s.success, s.orders),
      as_of: asOf,
    },
    revenue_per_minute: s.minutes.map((m) => ({ minute: minuteIso(m.minute), orders: m.orders, revenue: fromCents(m.revenue_cents) })),
    top_products: s.top_products.map((p) => ({ product_id: p.product_id, name: p.name, category: p.category, quantity: p.quantity, revenue: fromCents(p.revenue_cents) })),
    orders_by_state: [...s.states]
      .sort((a, b) => b.orders - a.orders || byCodePoint(a.state, b.state))
      .map((r) => ({ state: r.state, orders: r.orders, revenue: fromCents(r.revenue_cents) })),
    payments: [...s.payments]
      .sort((a, b) => methodOrder(a.method, b.method))
      .map((p) => ({
        method: p.method,
        attempts: p.attempts,
        success: p.success,
        failed: p.failed,
        success_rate: rate(p.success, p.attempts),
        avg_processing_ms: averageMs(p.processing_us, p.attempts),
      })),
    segments: [...s.segments]
      .sort((a, b) => segmentOrder(a.segment, b.segment))
      .map((g) => ({
        segment: g.segment,
        orders: g.orders,
        revenue: fromCents(g.revenue_cents),
        unique_customers: g.unique_customers,
        aov: averageAmount(g.revenue_cents, g.paid_orders),
      })),
  };
}

/** The views before the first order: what the API serves on an empty store. */
export function emptyViews(): Views {
  return {
    summary: { orders: 0, paid_orders: 0, revenue: 0, aov: 0, unique_customers: 0, payment_success_rate: 0, as_of: null },
    revenue_per_minute: [],
    top_products: [],
    orders_by_state: [],
    payments: [],
    segments: [],
  };
}
