/**
 * Deterministic valid contract events for tests and the corpus (a tiny stand-in for the
 * statistical generator: enough variety to exercise every field, nothing more).
 */
import type { OrderEvent } from '../../shared/contract/types.ts';

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATES = ['CA', 'TX', 'FL', 'NY', 'PA', 'IL', 'OH', 'GA', 'NC', 'MI'];
const CITIES = ['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol', 'Clinton', 'Fairview', 'Salem'];
const CATEGORIES = ['electronics', 'books', 'home', 'toys', 'fashion', 'sports'];
const SEGMENTS = ['premium', 'regular', 'budget'] as const;
const METHODS = ['credit_card', 'debit_card', 'paypal', 'crypto'] as const;
const STATUSES = ['completed', 'completed', 'completed', 'pending', 'cancelled'] as const;

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

export interface ValidEventOptions {
  seed?: number;
  /** Prefix of order_id / payment_id so concurrent tests never collide. */
  prefix?: string;
  /** Epoch ms of the first event; events are 250 ms apart. */
  startMs?: number;
}

/** `count` valid events; same options → same events. */
export function validEvents(count: number, opts: ValidEventOptions = {}): OrderEvent[] {
  const r = rng(opts.seed ?? 1);
  const prefix = opts.prefix ?? 'ord';
  const start = opts.startMs ?? Date.UTC(2024, 4, 1, 12, 0, 0);
  const out: OrderEvent[] = [];
  for (let i = 0; i < count; i++) {
    const quantity = 1 + Math.floor(-Math.log(1 - r()) * 1.2);
    const unitCents = 99 + Math.floor(r() * 20_000);
    const shipCents = Math.floor(r() * 1_500);
    const taxCents = Math.round(quantity * unitCents * 0.0725);
    const cust = Math.floor(r() * 500);
    const prod = Math.floor(r() * 200);
    out.push({
      order_id: `${prefix}-${i.toString().padStart(7, '0')}`,
      order_timestamp: new Date(start + i * 250).toISOString(),
      quantity,
      unit_price: unitCents / 100,
      shipping_cost: shipCents / 100,
      tax_amount: taxCents / 100,
      total_amount: (quantity * unitCents + shipCents + taxCents) / 100,
      order_status: pick(r, STATUSES),
      customer: { customer_id: `c-${cust}`, segment: SEGMENTS[cust % 3] as (typeof SEGMENTS)[number], state: STATES[cust % STATES.length] as string, city: CITIES[cust % CITIES.length] as string },
      product: { product_id: `p-${prod}`, name: `Product ${prod}`, category: CATEGORIES[prod % CATEGORIES.length] as string },
      payment: { payment_id: `${prefix}-pay-${i}`, method: pick(r, METHODS), status: r() < 0.93 ? 'success' : 'failed', processing_ms: Math.floor(50 + r() * 900) },
    });
  }
  return out;
}
