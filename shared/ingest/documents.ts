/**
 * Fact and dimension documents built from a validated event (shapes: notes/data-shapes.md).
 * Unknown fields are copied with Object.fromEntries (own data properties, never `obj[key] =`
 * on a plain object), although the validator already refused prototype-pollution names.
 */
import type { OrderEvent } from '../contract/types.ts';
import type { DimRow, FactDoc } from './types.ts';

const KNOWN_TOP: ReadonlySet<string> = new Set([
  'order_id', 'order_timestamp', 'quantity', 'unit_price', 'shipping_cost', 'tax_amount', 'total_amount', 'order_status', 'customer', 'product', 'payment',
]);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * UTC time attributes of an event time. `iso` is the validated order_timestamp: its first 16
 * characters already are `YYYY-MM-DDTHH:MM` in UTC (validation accepts only Z / +00:00).
 */
export function timeAttributes(ms: number, iso: string): { date_key: string; minute_key: string; hour: number; dow: number } {
  const day = Math.floor(ms / DAY_MS);
  return {
    date_key: iso.slice(0, 10),
    minute_key: iso.slice(0, 16),
    hour: Math.floor((ms - day * DAY_MS) / (60 * MINUTE_MS)),
    dow: (day + 4) % 7, // 1970-01-01 was a Thursday
  };
}

/** Top-level fields outside the contract, or undefined when there are none. */
export function extraFields(ev: OrderEvent): Record<string, unknown> | undefined {
  let extras: [string, unknown][] | undefined;
  for (const k of Object.keys(ev)) {
    if (KNOWN_TOP.has(k)) continue;
    (extras ??= []).push([k, ev[k]]);
  }
  return extras === undefined ? undefined : Object.fromEntries(extras);
}

export function buildFact(ev: OrderEvent, timestampMs: number, contentHash: string, ingestedAt: Date): FactDoc {
  const t = timeAttributes(timestampMs, ev.order_timestamp);
  const doc: FactDoc = {
    order_id: ev.order_id,
    order_timestamp: new Date(timestampMs),
    quantity: ev.quantity,
    unit_price: ev.unit_price,
    shipping_cost: ev.shipping_cost,
    tax_amount: ev.tax_amount,
    total_amount: ev.total_amount,
    order_status: ev.order_status,
    customer_id: ev.customer.customer_id,
    product_id: ev.product.product_id,
    payment_id: ev.payment.payment_id,
    segment: ev.customer.segment,
    state: ev.customer.state,
    city: ev.customer.city,
    payment_method: ev.payment.method,
    payment_status: ev.payment.status,
    processing_ms: ev.payment.processing_ms,
    product_name: ev.product.name,
    product_category: ev.product.category,
    date_key: t.date_key,
    minute_key: t.minute_key,
    hour: t.hour,
    dow: t.dow,
    content_hash: contentHash,
    ingested_at: ingestedAt,
  };
  const extra = extraFields(ev);
  if (extra !== undefined) doc.extra = extra;
  return doc;
}

const CUSTOMER_KEYS = 4;
const PRODUCT_KEYS = 3;
const PAYMENT_KEYS = 4;

/** A dimension row with unknown fields: every field of the nested object, then the authoritative ones. */
function rowWithExtras(obj: Record<string, unknown>, id: string, authoritative: [string, unknown][]): DimRow {
  const entries: [string, unknown][] = [['_id', id]];
  for (const k of Object.keys(obj)) entries.push([k, obj[k]]);
  for (const e of authoritative) entries.push(e);
  return Object.fromEntries(entries) as DimRow;
}

function onlyKnown(obj: object, n: number): boolean {
  let count = 0;
  for (const _ in obj) if (++count > n) return false;
  return count === n;
}

export function customerRow(ev: OrderEvent): DimRow {
  const c = ev.customer;
  if (onlyKnown(c, CUSTOMER_KEYS)) return { _id: c.customer_id, customer_id: c.customer_id, segment: c.segment, state: c.state, city: c.city };
  return rowWithExtras(c, c.customer_id, []);
}

export function productRow(ev: OrderEvent): DimRow {
  const p = ev.product;
  if (onlyKnown(p, PRODUCT_KEYS)) return { _id: p.product_id, product_id: p.product_id, name: p.name, category: p.category };
  return rowWithExtras(p, p.product_id, []);
}

export function paymentRow(ev: OrderEvent): DimRow {
  const p = ev.payment;
  if (onlyKnown(p, PAYMENT_KEYS)) return { _id: p.payment_id, payment_id: p.payment_id, order_id: ev.order_id, method: p.method, status: p.status, processing_ms: p.processing_ms };
  return rowWithExtras(p, p.payment_id, [['order_id', ev.order_id]]);
}
