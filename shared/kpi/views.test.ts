import { describe, expect, it } from 'vitest';
import type { RawSnapshot } from './types.ts';
import { buildViews, emptyViews } from './views.ts';

const base: RawSnapshot = {
  version: 7,
  orders: 7,
  paid_orders: 3,
  revenue_cents: 100001,
  success: 4,
  unique_customers: 5,
  max_ts: Date.UTC(2026, 10, 24, 10, 59, 10),
  minutes: [],
  top_products: [],
  states: [],
  payments: [],
  segments: [],
};

describe('buildViews', () => {
  it('summary: revenue from cents, aov rounded half up to the cent, rates as fractions', () => {
    const v = buildViews(base, '2026-11-24T11:00:00.000Z');
    // 100001 cents / 3 = 33333.67 cents -> 333.34
    expect(v.summary).toEqual({ orders: 7, paid_orders: 3, revenue: 1000.01, aov: 333.34, unique_customers: 5, payment_success_rate: 4 / 7, as_of: '2026-11-24T11:00:00.000Z' });
    expect(buildViews({ ...base, revenue_cents: 5, paid_orders: 2 }, 'x').summary.aov).toBe(0.03);
    expect(buildViews({ ...base, revenue_cents: 0, paid_orders: 0, orders: 0, success: 0 }, 'x').summary).toMatchObject({ aov: 0, payment_success_rate: 0, revenue: 0 });
  });

  it('sums of many cents stay exact when served', () => {
    // 0.1 + 0.2 style drift cannot happen: the sum is an integer until served.
    const v = buildViews({ ...base, revenue_cents: 30, paid_orders: 3 }, 'x');
    expect(v.summary.revenue).toBe(0.3);
    expect(v.summary.aov).toBe(0.1);
  });

  it('revenue per minute: ISO minute starts, oldest first', () => {
    const m0 = Math.floor(Date.UTC(2026, 10, 24, 10, 58) / 60000);
    const v = buildViews({ ...base, minutes: [{ minute: m0, orders: 2, revenue_cents: 1999 }, { minute: m0 + 1, orders: 0, revenue_cents: 0 }] }, 'x');
    expect(v.revenue_per_minute).toEqual([
      { minute: '2026-11-24T10:58:00.000Z', orders: 2, revenue: 19.99 },
      { minute: '2026-11-24T10:59:00.000Z', orders: 0, revenue: 0 },
    ]);
  });

  it('orders by state: orders desc, ties by state', () => {
    const v = buildViews({ ...base, states: [{ state: 'TX', orders: 2, revenue_cents: 1 }, { state: 'CA', orders: 5, revenue_cents: 250 }, { state: 'AZ', orders: 2, revenue_cents: 0 }] }, 'x');
    expect(v.orders_by_state).toEqual([
      { state: 'CA', orders: 5, revenue: 2.5 },
      { state: 'AZ', orders: 2, revenue: 0 },
      { state: 'TX', orders: 2, revenue: 0.01 },
    ]);
  });

  it('payments in the contract order; success rate over attempts; mean processing in ms to 2 decimals', () => {
    const v = buildViews(
      {
        ...base,
        payments: [
          { method: 'paypal', attempts: 3, success: 2, failed: 1, processing_us: 1000 },
          { method: 'credit_card', attempts: 4, success: 4, failed: 0, processing_us: 4_002_020 },
          { method: 'zeta_pay', attempts: 1, success: 0, failed: 1, processing_us: 5 },
        ],
      },
      'x',
    );
    expect(v.payments).toEqual([
      { method: 'credit_card', attempts: 4, success: 4, failed: 0, success_rate: 1, avg_processing_ms: 1000.51 },
      { method: 'paypal', attempts: 3, success: 2, failed: 1, success_rate: 2 / 3, avg_processing_ms: 0.33 },
      { method: 'zeta_pay', attempts: 1, success: 0, failed: 1, success_rate: 0, avg_processing_ms: 0.01 },
    ]);
  });

  it('segments in the contract order with their own aov over paid orders', () => {
    const v = buildViews(
      {
        ...base,
        segments: [
          { segment: 'budget', orders: 3, paid_orders: 0, revenue_cents: 0, unique_customers: 2 },
          { segment: 'premium', orders: 4, paid_orders: 3, revenue_cents: 1000, unique_customers: 3 },
        ],
      },
      'x',
    );
    expect(v.segments).toEqual([
      { segment: 'premium', orders: 4, revenue: 10, unique_customers: 3, aov: 3.33 },
      { segment: 'budget', orders: 3, revenue: 0, unique_customers: 2, aov: 0 },
    ]);
  });

  it('top products keep the store order and convert cents', () => {
    const v = buildViews({ ...base, top_products: [{ product_id: 'p-2', name: 'Desk', category: 'office', quantity: 9, revenue_cents: 12345 }] }, 'x');
    expect(v.top_products).toEqual([{ product_id: 'p-2', name: 'Desk', category: 'office', quantity: 9, revenue: 123.45 }]);
  });

  it('empty views before the first materialisation', () => {
    expect(emptyViews().summary.as_of).toBeNull();
    expect(emptyViews().revenue_per_minute).toEqual([]);
  });
});
