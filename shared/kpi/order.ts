/**
 * Normalise the three shapes an accepted order comes in (the validated event on
 * `orders.accepted`, an `orders_fact` document, an archived row) into a `KpiOrder`.
 * The inputs were validated by ingest; these checks only make sure the KPI stage never
 * computes with a missing or mistyped field (an InvariantError-class bug upstream).
 */
import { toCents } from './money.ts';
import type { KpiOrder } from './types.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Missing extends Error {}

function str(o: Obj, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '') throw new Missing(`${where}${k} must be a non-empty string`);
  return v;
}

function num(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Missing(`${where}${k} must be a finite number >= 0`);
  return v;
}

function time(v: unknown, k: string): number {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(ms)) throw new Missing(`${k} must be a timestamp`);
  return ms;
}

function wrap(f: () => KpiOrder): Parsed<KpiOrder> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Missing) return { ok: false, error: e.message };
    throw e;
  }
}

/** From a contract event (DESIGN.md §2), as ingest puts it on `orders.accepted`. */
export function orderFromEvent(ev: unknown): Parsed<KpiOrder> {
  return wrap(() => {
    if (!isObj(ev)) throw new Missing('event must be a JSON object');
    const c = ev.customer;
    const p = ev.product;
    const pay = ev.payment;
    if (!isObj(c)) throw new Missing('customer must be an object');
    if (!isObj(p)) throw new Missing('product must be an object');
    if (!isObj(pay)) throw new Missing('payment must be an object');
    return {
      order_id: str(ev, 'order_id', ''),
      ts: time(ev.order_timestamp, 'order_timestamp'),
      quantity: num(ev, 'quantity', ''),
      total_cents: toCents(num(ev, 'total_amount', '')),
      order_status: str(ev, 'order_status', ''),
      customer_id: str(c, 'customer_id', 'customer.'),
      segment: str(c, 'segment', 'customer.'),
      state: str(c, 'state', 'customer.'),
      product_id: str(p, 'product_id', 'product.'),
      product_name: str(p, 'name', 'product.'),
      product_category: str(p, 'category', 'product.'),
      payment_method: str(pay, 'method', 'payment.'),
      payment_status: str(pay, 'status', 'payment.'),
      processing_ms: num(pay, 'processing_ms', 'payment.'),
    };
  });
}

/**
 * From an `orders_fact` document or an archived row (docs/../data-shapes: the flat fact with the
 * event-time snapshot of segment, state, payment_method, payment_status, processing_ms,
 * product_name, product_category). order_timestamp may be a Date, an ISO string or epoch ms.
 */
export function orderFromFact(doc: unknown): Parsed<KpiOrder> {
  return wrap(() => {
    if (!isObj(doc)) throw new Missing('fact must be an object');
    return {
      order_id: str(doc, 'order_id', ''),
      ts: time(doc.order_timestamp, 'order_timestamp'),
      quantity: num(doc, 'quantity', ''),
      total_cents: toCents(num(doc, 'total_amount', '')),
      order_status: str(doc, 'order_status', ''),
      customer_id: str(doc, 'customer_id', ''),
      segment: str(doc, 'segment', ''),
      state: str(doc, 'state', ''),
      product_id: str(doc, 'product_id', ''),
      product_name: str(doc, 'product_name', ''),
      product_category: str(doc, 'product_category', ''),
      payment_method: str(doc, 'payment_method', ''),
      payment_status: str(doc, 'payment_status', ''),
      processing_ms: num(doc, 'processing_ms', ''),
    };
  });
}
