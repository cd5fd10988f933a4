/**
 * Seeded synthetic accepted orders for KPI integration tests (no dependency on the generator:
 * these stress the KPI rules on purpose: cancellations, failed payments, products whose name
 * changes between events, events spread over more than an hour and arriving out of order).
 */
import type { OrderEvent } from '../shared/contract/types.ts';

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function kpiTestEvents(n: number, seed: number, startMs = Date.UTC(2026, 10, 24, 9, 0)): OrderEvent[] {
  const r = lcg(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const out: OrderEvent[] = [];
  for (let i = 0; i < n; i++) {
    const q = 1 + Math.floor(r() * 4);
    const unit = Math.round(r() * 20000) / 100;
    const ship = Math.round(r() * 1500) / 100;
    const tax = Math.round(unit * q * 8) / 100;
    const total = (Math.round(unit * 100) * q + Math.round(ship * 100) + Math.round(tax * 100)) / 100;
    const pid = `p-${Math.floor(r() * r() * 40)}`;
    // ~90 minutes of event time, 5 % late by up to 2 hours
    const ts = startMs + Math.floor(r() * 90 * 60_000) - (r() < 0.05 ? Math.floor(r() * 7_200_000) : 0);
    out.push({
      order_id: `o-${seed}-${i}`,
      order_timestamp: new Date(ts).toISOString(),
      quantity: q,
      unit_price: unit,
      shipping_cost: ship,
      tax_amount: tax,
      total_amount: total,
      order_status: pick(['completed', 'completed', 'completed', 'pending', 'cancelled'] as const),
      customer: { customer_id: `c-${Math.floor(r() * 500)}`, segment: pick(['premium', 'regular', 'regular', 'budget'] as const), state: pick(['CA', 'TX', 'NY', 'FL', 'WA', 'IL']), city: 'X' },
      product: { product_id: pid, name: r() < 0.1 ? `${pid} (renamed ${i})` : `Product ${pid}`, category: pick(['home', 'toys', 'books']) },
      payment: { payment_id: `pay-${seed}-${i}`, method: pick(['credit_card', 'debit_card', 'paypal', 'crypto'] as const), status: r() < 0.12 ? 'failed' : 'success', processing_ms: Math.round(r() * 200000) / 100 },
    });
  }
  return out;
}

/** The orders_fact shape of an accepted event (docs/order-contract.md), as ingest stores it. */
export function factOf(e: OrderEvent): Record<string, unknown> {
  return {
    order_id: e.order_id,
    order_timestamp: new Date(e.order_timestamp),
    quantity: e.quantity,
    unit_price: e.unit_price,
    shipping_cost: e.shipping_cost,
    tax_amount: e.tax_amount,
    total_amount: e.total_amount,
    order_status: e.order_status,
    customer_id: e.customer.customer_id,
    product_id: e.product.product_id,
    payment_id: e.payment.payment_id,
    segment: e.customer.segment,
    state: e.customer.state,
    city: e.customer.city,
    payment_method: e.payment.method,
    payment_status: e.payment.status,
    processing_ms: e.payment.processing_ms,
    product_name: e.product.name,
    product_category: e.product.category,
  };
}
