/**
 * Fast serialisation of order events to the wire format (UTF-8 JSON). The output is byte-for-byte
 * what `JSON.stringify(event)` gives; the fast path reuses the JSON of the frozen, shared
 * customer and product objects and only escapes strings that need it. Anything unusual
 * (extra fields other than `campaign`, unknown nested fields) falls back to JSON.stringify.
 */
import type { OrderEvent } from '../contract/types.ts';

const fragments = new WeakMap<object, string>();
const JSON_TEXT = Symbol('orderpulse.json');

/**
 * Freezes a shared sub-object (a customer or product used by many events) and attaches its JSON
 * text as a hidden, non-enumerable symbol property, so encodeEvent reuses it for free.
 */
export function freezeWithJson<T extends object>(o: T): Readonly<T> {
  Object.defineProperty(o, JSON_TEXT, { value: JSON.stringify(o), enumerable: false });
  return Object.freeze(o);
}
const SAFE = /^[\w .:&+\-/']*$/;
const KNOWN = new Set(['order_id', 'order_timestamp', 'customer', 'product', 'quantity', 'unit_price', 'shipping_cost', 'tax_amount', 'total_amount', 'order_status', 'payment', 'campaign']);

function str(s: string): string {
  return SAFE.test(s) ? '"' + s + '"' : JSON.stringify(s);
}

/** JSON of an object that never changes (frozen), computed once per object. */
function frozenJson(o: object): string {
  const attached = (o as { [JSON_TEXT]?: string })[JSON_TEXT];
  if (attached !== undefined) return attached;
  let f = fragments.get(o);
  if (f === undefined) {
    f = JSON.stringify(o);
    if (Object.isFrozen(o)) fragments.set(o, f);
  }
  return f;
}

function isPlain(e: OrderEvent): boolean {
  let n = 0;
  for (const k in e) {
    if (!KNOWN.has(k)) return false;
    n++;
  }
  const p = e.payment;
  let pn = 0;
  for (const k in p) {
    if (k !== 'payment_id' && k !== 'method' && k !== 'status' && k !== 'processing_ms') return false;
    pn++;
  }
  return n >= 11 && pn === 4 && typeof e.campaign !== 'object';
}

/** The event as a JSON string, identical to JSON.stringify(event). */
export function encodeEvent(e: OrderEvent): string {
  if (!isPlain(e) || !Object.isFrozen(e.customer) || !Object.isFrozen(e.product)) return JSON.stringify(e);
  // Field order follows the generator's object layout, so the bytes equal JSON.stringify's.
  const p = e.payment;
  let s =
    '{"order_id":' + str(e.order_id) +
    ',"order_timestamp":' + str(e.order_timestamp) +
    ',"customer":' + frozenJson(e.customer) +
    ',"product":' + frozenJson(e.product) +
    ',"quantity":' + JSON.stringify(e.quantity) +
    ',"unit_price":' + JSON.stringify(e.unit_price) +
    ',"shipping_cost":' + JSON.stringify(e.shipping_cost) +
    ',"tax_amount":' + JSON.stringify(e.tax_amount) +
    ',"total_amount":' + JSON.stringify(e.total_amount) +
    ',"order_status":' + str(e.order_status) +
    ',"payment":{"payment_id":' + str(p.payment_id) + ',"method":' + str(p.method) + ',"status":' + str(p.status) + ',"processing_ms":' + JSON.stringify(p.processing_ms) + '}';
  if (e.campaign !== undefined) s += ',"campaign":' + JSON.stringify(e.campaign);
  return s + '}';
}

/** One event as a UTF-8 Buffer. */
export function encodeEventBuffer(e: OrderEvent): Buffer {
  return Buffer.from(encodeEvent(e), 'utf8');
}
