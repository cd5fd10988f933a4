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

/** UTC time attributes of an event time. */
export function timeAttributes(ms: number): { date_key: string; minute_key: string; hour: number; dow: number } {
  const d = new Date(ms);
  const iso = d.toISOString();
  return { date_key: iso.slice(0, 10), minute_key: iso.slice(0, 16), hour: d.getUTCHours(), dow: d.getUTCDay() };
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
  const t = timeAttributes(timestampMs);
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

/** A dimension row: every field of the nested object, then the authoritative key fields. */
function row(obj: Record<string, unknown>, id: string, authoritative: [string, unknown][]): DimRow {
  const entries: [string, unknown][] = [['_id', id]];
  for (const k of Object.keys(obj)) entries.push([k, obj[k]]);
  for (const e of authoritative) entries.push(e);
  return Object.fromEntries(entries) as DimRow;
}

export function customerRow(ev: OrderEvent): DimRow {
  const c = ev.customer;
  return row(c, c.customer_id, []);
}

export function productRow(ev: OrderEvent): DimRow {
  const p = ev.product;
  return row(p, p.product_id, []);
}

export function paymentRow(ev: OrderEvent): DimRow {
  const p = ev.payment;
  return row(p, p.payment_id, [['order_id', ev.order_id]]);
}
