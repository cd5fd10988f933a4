/**
 * Fast serialisation of order events to the wire format (UTF-8 JSON). The output is byte-for-byte
 * what `JSON.stringify(event)` gives; the fast path reuses the JSON of the frozen, shared
 * customer and product objects and only escapes strings that need it. Anything unusual
 * (extra fields other than `campaign`, unknown nested fields) falls back to JSON.stringify.
 */
import type { OrderEvent } from '../../shared/contract/types.ts';

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
const ORDER = ['order_id', 'order_timestamp', 'customer', 'product', 'quantity', 'unit_price', 'shipping_cost', 'tax_amount', 'total_amount', 'order_status', 'payment', 'campaign'];
const PAYMENT_ORDER = ['payment_id', 'method', 'status', 'processing_ms'];

function str(s: string): string {
  return typeof s === 'string' && SAFE.test(s) ? '"' + s + '"' : JSON.stringify(s);
}

function num(x: number): string {
  return typeof x === 'number' && Number.isFinite(x) ? '' + x : JSON.stringify(x);
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

/** Exactly the generator's keys, in the generator's order (campaign optional, last). */
function hasGeneratorLayout(e: OrderEvent): boolean {
  let i = 0;
  for (const k in e) if (ORDER[i++] !== k) return false;
  if (i < 11 || typeof e.payment !== 'object' || e.payment === null) return false;
  let j = 0;
  for (const k in e.payment) if (PAYMENT_ORDER[j++] !== k) return false;
  return j === 4 && Object.isFrozen(e.customer) && Object.isFrozen(e.product);
}

function build(e: OrderEvent, s: (x: string) => string): string {
  const p = e.payment;
  let out =
    '{"order_id":' + s(e.order_id) +
    ',"order_timestamp":' + s(e.order_timestamp) +
    ',"customer":' + frozenJson(e.customer) +
    ',"product":' + frozenJson(e.product) +
    ',"quantity":' + num(e.quantity) +
    ',"unit_price":' + num(e.unit_price) +
    ',"shipping_cost":' + num(e.shipping_cost) +
    ',"tax_amount":' + num(e.tax_amount) +
    ',"total_amount":' + num(e.total_amount) +
    ',"order_status":' + s(e.order_status) +
    ',"payment":{"payment_id":' + s(p.payment_id) + ',"method":' + s(p.method) + ',"status":' + s(p.status) + ',"processing_ms":' + num(p.processing_ms) + '}';
  if (e.campaign !== undefined) out += ',"campaign":' + JSON.stringify(e.campaign);
  return out + '}';
}

/** The event as a JSON string, identical to JSON.stringify(event), for any event. */
export function encodeEvent(e: OrderEvent): string {
  return hasGeneratorLayout(e) ? build(e, str) : JSON.stringify(e);
}

const quote = (x: string): string => '"' + x + '"';

/**
 * Faster encodeEvent for events straight from createGenerator(): their layout is known and
 * their strings never need escaping (ids, ISO timestamps, enum values). Do not use it for
 * events that were modified or built elsewhere.
 */
export function encodeGeneratedEvent(e: OrderEvent): string {
  return build(e, quote);
}

/** One event as a UTF-8 Buffer. */
export function encodeEventBuffer(e: OrderEvent): Buffer {
  return Buffer.from(encodeEvent(e), 'utf8');
}
