/**
 * Test fixtures: valid orders_fact documents (docs/order-contract.md) and their dimension rows,
 * built deterministically from a seed. Used by unit and integration tests and the benchmark
 * (independent of the generator so that archive tests pin their own edge cases).
 */
import { ORDER_STATUSES, PAYMENT_METHODS, SEGMENTS, type FactDoc } from '../../contract/order.ts';
import { toArchiveRow } from '../denormalise.ts';
import type { ArchiveRow } from '../schema.ts';

export interface FactFixture {
  /** An orders_fact document as ingest writes it (after asLegacy: as it wrote it before the fold, without `payment_attrs`). */
  fact: FactDoc;
  customer: Record<string, unknown>;
  product: Record<string, unknown>;
  /** The legacy `payments_dim` row: only on fixtures of facts written before payments were folded into the fact (asLegacy). */
  payment?: Record<string, unknown>;
}

const STATES = [
  ['CA', 'Los Angeles'],
  ['NY', 'New York'],
  ['TX', 'Austin'],
  ['WA', 'Seattle'],
  ['FL', 'Miami'],
] as const;
const CATEGORIES = ['Electronics', 'Books', 'Grocery', 'Toys & Games'];

import { rng } from '../../../tests/corpus/valid-events.ts';

export { rng };

export interface BuildOptions {
  seed?: number;
  /** Time of the first order. */
  start?: Date;
  /** Milliseconds between consecutive orders (default 90 s: ~1 000 orders per day span). */
  stepMs?: number;
  prefix?: string;
}

/** `count` orders, timestamps increasing from `start` (spanning several UTC days by default). */
export function buildFacts(count: number, opts: BuildOptions = {}): FactFixture[] {
  const r = rng(opts.seed ?? 1);
  const start = (opts.start ?? new Date('2026-01-01T20:00:00Z')).getTime();
  const step = opts.stepMs ?? 90_000;
  const prefix = opts.prefix ?? 'ord';
  const out: FactFixture[] = [];
  for (let i = 0; i < count; i++) {
    const ts = new Date(start + i * step);
    const iso = ts.toISOString();
    const quantity = 1 + Math.floor(r() * 5);
    const unitCents = 99 + Math.floor(r() * 20_000);
    const shipCents = r() < 0.3 ? 0 : 499;
    const taxCents = Math.round((quantity * unitCents * 0.07));
    const totalCents = quantity * unitCents + shipCents + taxCents;
    const [state, city] = STATES[Math.floor(r() * STATES.length)] ?? STATES[0];
    const cust = `c${Math.floor(r() * 500)}`;
    const prod = `p${Math.floor(r() * 80)}`;
    const seg = SEGMENTS[Math.floor(r() * 3)] ?? 'regular';
    const method = PAYMENT_METHODS[Math.floor(r() * 4)] ?? 'paypal';
    const pstatus = r() < 0.9 ? 'success' : 'failed';
    const processing = Math.floor(50 + r() * 900);
    const category = CATEGORIES[Math.floor(r() * CATEGORIES.length)] ?? 'Books';
    const orderId = `${prefix}-${String(i).padStart(7, '0')}`;
    const paymentId = `pay-${orderId}`;
    const fact: FactFixture['fact'] = {
      order_id: orderId,
      order_timestamp: ts,
      quantity,
      unit_price: unitCents / 100,
      shipping_cost: shipCents / 100,
      tax_amount: taxCents / 100,
      total_amount: totalCents / 100,
      order_status: ORDER_STATUSES[Math.floor(r() * 3)] ?? 'completed',
      customer_id: cust,
      product_id: prod,
      payment_id: paymentId,
      segment: seg,
      state,
      city,
      payment_method: method,
      payment_status: pstatus,
      processing_ms: processing,
      product_name: `Product ${prod}`,
      product_category: category,
      date_key: iso.slice(0, 10),
      minute_key: iso.slice(0, 16),
      hour: ts.getUTCHours(),
      dow: ts.getUTCDay(),
      content_hash: (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(64, '0').slice(-64),
      ingested_at: new Date(ts.getTime() + 1500),
      payment_attrs: null,
    };
    if (i % 7 === 3) fact.extra = { coupon: `SAVE${i % 30}`, channel: 'mobile' };
    out.push({
      fact,
      customer: { _id: cust, customer_id: cust, segment: seg, state, city, ...(i % 11 === 0 ? { loyalty_tier: 'gold' } : {}) },
      product: { _id: prod, product_id: prod, name: `Product ${prod}`, category },
    });
  }
  return out;
}

/**
 * The same orders as a store written before payments were folded into the fact holds them: facts
 * without `payment_attrs`, and a `payments_dim` row each (`_id`, payment_id, order_id, the
 * contract's fields, then the unknown ones, the way ingest wrote it).
 */
export function asLegacy(fixtures: readonly FactFixture[]): FactFixture[] {
  return fixtures.map((f) => {
    const { payment_attrs: attrs, ...rest } = f.fact;
    const fact = rest as FactDoc;
    const payment = { _id: fact.payment_id, payment_id: fact.payment_id, order_id: fact.order_id, method: fact.payment_method, status: fact.payment_status, processing_ms: fact.processing_ms, ...(attrs ?? {}) };
    return { ...f, fact, payment };
  });
}

const NO_DIMS = { customers: new Map(), products: new Map(), payments: new Map() };

/** An archive row straight from a fixture (dims not joined). */
export function rowOf(f: FactFixture, batchId = 'test-batch'): ArchiveRow {
  return toArchiveRow({ ...f.fact, hot_id: '0'.repeat(24) }, NO_DIMS, batchId);
}
