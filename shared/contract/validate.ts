/**
 * Validation of one raw `orders` message against the event contract (docs/contracts.md §2).
 * Pure and allocation-light: no schema library, one JSON.parse, one iterative walk.
 *
 * Checks run in this order; the first failure decides the reason:
 *   1. oversize       – more than `maxBytes` bytes (checked before anything is decoded)
 *   2. invalid_utf8   – bytes are not UTF-8, or a JSON string escape is a lone surrogate
 *   3. invalid_json   – empty, BOM, not JSON (truncated, trailing garbage), or not an object
 *   4. forbidden_key  – a key anywhere that starts with `$`, contains `.` or NUL, is empty,
 *                       or is `__proto__` / `constructor` / `prototype`
 *   5. schema         – nesting deeper than MAX_DEPTH, a missing field, a wrong type or range
 *   6. total_mismatch – |quantity×unit_price + shipping + tax − total| > 1 cent (integer cents)
 *   7. key_mismatch   – the Kafka key is present and differs from order_id
 * docs/ingest.md explains every rule and the reasons behind the limits.
 */
import { isUtf8 } from 'node:buffer';
import { formatCents, fromCents, toCents } from './money.ts';
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, SEGMENTS, type OrderEvent } from './order.ts';
import type { DlqReason } from './types.ts';

export const MAX_DEPTH = 32;
export const MAX_ID_CHARS = 64;
export const MAX_TEXT_CHARS = 256;
/** Upper bound of every money field: keeps integer-cent sums exact (2^53 cents) for > 10^5 maximal orders. */
export const MAX_MONEY = 100_000_000;
export const MAX_QUANTITY = 1_000_000;
export const MAX_PROCESSING_MS = 86_400_000;
/** Event time accepted: years [MIN_YEAR, MAX_YEAR). A fixed range, never the wall clock, so a replay decides the same. */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2100;

export interface ValidOrder {
  ok: true;
  event: OrderEvent;
  orderId: string;
  /** order_timestamp as epoch milliseconds (UTC). */
  timestampMs: number;
}

export interface InvalidOrder {
  ok: false;
  reason: DlqReason;
  detail: string;
  /** The order_id when the message carried a usable one, else null. */
  orderId: string | null;
}

export type ValidationResult = ValidOrder | InvalidOrder;

export interface ValidateOptions {
  maxBytes: number;
  /** The Kafka message key (null/undefined = no key). */
  key?: string | null;
}

/** With the u flag a surrogate class matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Surrogate}/u;
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function fail(reason: DlqReason, detail: string, orderId: string | null = null): InvalidOrder {
  return { ok: false, reason, detail, orderId };
}

function clip(s: string, n = 80): string {
  return s.length <= n ? s : s.slice(0, n) + '…';
}

/**
 * Validate one message. `raw` is the message value: a Buffer of bytes, or a string when the
 * bytes were already decoded as valid UTF-8 (the batched connector does that). Never throws.
 */
export function validateOrder(raw: Uint8Array | string, opts: ValidateOptions): ValidationResult {
  let text: string;
  if (typeof raw === 'string') {
    // A UTF-16 unit needs 1 to 3 bytes: decide cheaply when possible.
    if (raw.length > opts.maxBytes || (raw.length * 3 > opts.maxBytes && Buffer.byteLength(raw, 'utf8') > opts.maxBytes)) {
      return fail('oversize', `${Buffer.byteLength(raw, 'utf8')} bytes > ${opts.maxBytes}`);
    }
    text = raw;
  } else {
    if (raw.length > opts.maxBytes) return fail('oversize', `${raw.length} bytes > ${opts.maxBytes}`);
    if (!isUtf8(raw)) return fail('invalid_utf8', 'message bytes are not valid UTF-8');
    text = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8');
  }
  return validateText(text, opts.key ?? null);
}

function validateText(text: string, key: string | null): ValidationResult {
  if (text.length === 0) return fail('invalid_json', 'empty message');
  if (text.charCodeAt(0) === 0xfeff) return fail('invalid_json', 'starts with a byte order mark (RFC 8259 §8.1: senders must not add one)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail('invalid_json', clip((e as Error).message, 160));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('invalid_json', `top-level value must be an object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}`);
  }
  const obj = parsed as Record<string, unknown>;
  const maybeId = typeof obj.order_id === 'string' && obj.order_id.length > 0 && obj.order_id.length <= 4 * MAX_ID_CHARS ? obj.order_id : null;

  const walk = walkKeys(obj, text.includes('\\u'));
  if (walk.ok === false) return { ...walk, orderId: maybeId };

  const schema = checkSchema(obj);
  if (typeof schema === 'string') return fail('schema', schema, maybeId);
  const ev = obj as OrderEvent;

  const q = ev.quantity;
  const expected = q * toCents(ev.unit_price) + toCents(ev.shipping_cost) + toCents(ev.tax_amount);
  const total = toCents(ev.total_amount);
  if (Math.abs(expected - total) > 1) {
    return fail('total_mismatch', `total_amount ${ev.total_amount} != quantity ${q} × unit_price ${ev.unit_price} + shipping_cost ${ev.shipping_cost} + tax_amount ${ev.tax_amount} = ${formatCents(expected)}`, ev.order_id);
  }
  if (key !== null && key !== ev.order_id) return fail('key_mismatch', `Kafka key "${clip(key, 64)}" != order_id "${ev.order_id}"`, ev.order_id);
  return { ok: true, event: ev, orderId: ev.order_id, timestampMs: schema };
}

/**
 * Iterative walk over every key and (when the text has `\u` escapes) every string:
 * forbidden keys, lone surrogates and the depth limit. Never recursive, so a deeply nested
 * hostile document cannot exhaust the stack.
 */
function walkKeys(root: object, checkSurrogates: boolean): { ok: false; reason: DlqReason; detail: string } | { ok: true } {
  const stack: unknown[] = [root];
  const depths: number[] = [1];
  let firstSchema: string | null = null;
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > MAX_DEPTH) {
      // Not descended into: the document is rejected (schema) unless a forbidden key shows up above.
      firstSchema ??= `nesting deeper than ${MAX_DEPTH} levels`;
      continue;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === 'object' && v !== null) {
          stack.push(v);
          depths.push(depth + 1);
        } else if (checkSurrogates && typeof v === 'string' && LONE_SURROGATE.test(v)) {
          return { ok: false, reason: 'invalid_utf8', detail: 'a string contains a lone surrogate escape (not encodable as UTF-8)' };
        }
      }
      continue;
    }
    const rec = node as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const bad = forbiddenKey(k);
      if (bad !== null) return { ok: false, reason: 'forbidden_key', detail: `key ${JSON.stringify(clip(k, 64))} ${bad}` };
      if (checkSurrogates && LONE_SURROGATE.test(k)) return { ok: false, reason: 'invalid_utf8', detail: 'a key contains a lone surrogate escape (not encodable as UTF-8)' };
      const v = rec[k];
      if (typeof v === 'object' && v !== null) {
        stack.push(v);
        depths.push(depth + 1);
      } else if (checkSurrogates && typeof v === 'string' && LONE_SURROGATE.test(v)) {
        return { ok: false, reason: 'invalid_utf8', detail: `value of ${JSON.stringify(clip(k, 64))} contains a lone surrogate escape (not encodable as UTF-8)` };
      }
    }
  }
  return firstSchema === null ? { ok: true } : { ok: false, reason: 'schema', detail: firstSchema };
}

/** Keys already found harmless (bounded): the common case is one Set lookup per key. */
const GOOD_KEYS = new Set<string>();

function forbiddenKey(k: string): string | null {
  if (GOOD_KEYS.has(k)) return null;
  const why = whyForbidden(k);
  if (why === null && GOOD_KEYS.size < 2048) GOOD_KEYS.add(k);
  return why;
}

function whyForbidden(k: string): string | null {
  if (k.length === 0) return 'is empty';
  if (k.charCodeAt(0) === 36 /* $ */) return 'starts with $ (MongoDB operator)';
  if (k.includes('.')) return 'contains . (MongoDB path separator)';
  if (k.includes('\u0000')) return 'contains NUL';
  if (FORBIDDEN_NAMES.has(k)) return 'is a prototype-pollution name';
  return null;
}

// ---- schema ---------------------------------------------------------------------------------

const ORDER_STATUS_SET: ReadonlySet<string> = new Set(ORDER_STATUSES);
const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);
const METHOD_SET: ReadonlySet<string> = new Set(PAYMENT_METHODS);
const PAY_STATUS_SET: ReadonlySet<string> = new Set(PAYMENT_STATUSES);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Code points of a string (only counted when the UTF-16 length is over the limit). */
function charCount(s: string, limit: number): number {
  if (s.length <= limit) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function text(o: Record<string, unknown>, field: string, path: string, max: number): string | null {
  const v = o[field];
  if (v === undefined) return `${path}${field} is missing`;
  if (typeof v !== 'string') return `${path}${field} must be a string, got ${typeName(v)}`;
  if (v.length === 0) return `${path}${field} must not be empty`;
  if (charCount(v, max) > max) return `${path}${field} is longer than ${max} characters`;
  return null;
}

function oneOf(o: Record<string, unknown>, field: string, path: string, set: ReadonlySet<string>): string | null {
  const v = o[field];
  if (v === undefined) return `${path}${field} is missing`;
  if (typeof v !== 'string') return `${path}${field} must be a string, got ${typeName(v)}`;
  if (!set.has(v)) return `${path}${field} must be one of ${[...set].join('|')}, got ${JSON.stringify(clip(v, 32))}`;
  return null;
}

function money(o: Record<string, unknown>, field: string): string | null {
  const v = o[field];
  if (v === undefined) return `${field} is missing`;
  if (typeof v !== 'number') return `${field} must be a number, got ${typeName(v)}`;
  if (!Number.isFinite(v)) return `${field} must be finite`;
  if (v < 0) return `${field} must be >= 0, got ${v}`;
  if (v > MAX_MONEY) return `${field} must be <= ${MAX_MONEY}, got ${v}`;
  // Exact: a 2-decimal literal d/100 parses to the double nearest d/100, which is what d/100 computes.
  if (fromCents(toCents(v)) !== v) return `${field} must have at most 2 decimals, got ${v}`;
  return null;
}

function nested(o: Record<string, unknown>, field: string): Record<string, unknown> | string {
  const v = o[field];
  if (v === undefined) return `${field} is missing`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${field} must be an object, got ${typeName(v)}`;
  const rec = v as Record<string, unknown>;
  if (rec._id !== undefined) return `${field}._id is reserved (dimension primary key)`;
  return rec;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by `n` ASCII digits of `s` at `i`, or -1. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

function badTimestamp(v: string): string {
  return `order_timestamp must be ISO-8601 UTC like 2024-05-01T12:34:56.789Z, got ${JSON.stringify(clip(v, 40))}`;
}

/**
 * Epoch ms of a strict ISO-8601 UTC timestamp `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+00:00)`, or an
 * error string. Parsed by hand (no regex, no Date object): impossible dates are refused, not
 * rolled over as Date.parse does (Feb 30, 24:00, :60).
 */
export function parseUtcTimestamp(v: unknown): number | string {
  if (typeof v !== 'string') return `order_timestamp must be a string, got ${typeName(v)}`;
  if (v.length < 20 || v.length > 35) return badTimestamp(v);
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return badTimestamp(v);
  const year = digitsAt(v, 0, 4), month = digitsAt(v, 5, 2), day = digitsAt(v, 8, 2);
  const hour = digitsAt(v, 11, 2), minute = digitsAt(v, 14, 2), second = digitsAt(v, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return badTimestamp(v);
  let i = 19;
  let ms = 0;
  if (v.charCodeAt(i) === 46 /* . */) {
    let j = i + 1;
    while (j < v.length && v.charCodeAt(j) >= 48 && v.charCodeAt(j) <= 57) j++;
    const n = j - i - 1;
    if (n < 1 || n > 9) return badTimestamp(v);
    ms = digitsAt((v.slice(i + 1, Math.min(j, i + 4)) + '00').slice(0, 3), 0, 3);
    i = j;
  }
  const zone = v.length - i;
  if (!((zone === 1 && v.charCodeAt(i) === 90) || (zone === 6 && v.endsWith('+00:00')))) return badTimestamp(v);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const dim = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > dim || hour > 23 || minute > 59 || second > 59) return `order_timestamp is not a real date/time: ${JSON.stringify(v)}`;
  if (year < MIN_YEAR || year >= MAX_YEAR) return `order_timestamp must be in years [${MIN_YEAR}, ${MAX_YEAR}), got ${JSON.stringify(v)}`;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** Returns the order timestamp in ms when the object follows the contract, else an error string. */
function checkSchema(o: Record<string, unknown>): number | string {
  let e = text(o, 'order_id', '', MAX_ID_CHARS);
  if (e !== null) return e;
  const ts = parseUtcTimestamp(o.order_timestamp);
  if (typeof ts === 'string') return o.order_timestamp === undefined ? 'order_timestamp is missing' : ts;

  const q = o.quantity;
  if (q === undefined) return 'quantity is missing';
  if (typeof q !== 'number') return `quantity must be a number, got ${typeName(q)}`;
  if (!Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) return `quantity must be an integer in [1, ${MAX_QUANTITY}], got ${q}`;
  if ((e = money(o, 'unit_price')) !== null) return e;
  if ((e = money(o, 'shipping_cost')) !== null) return e;
  if ((e = money(o, 'tax_amount')) !== null) return e;
  if ((e = money(o, 'total_amount')) !== null) return e;
  if ((e = oneOf(o, 'order_status', '', ORDER_STATUS_SET)) !== null) return e;

  const c = nested(o, 'customer');
  if (typeof c === 'string') return c;
  if ((e = text(c, 'customer_id', 'customer.', MAX_ID_CHARS)) !== null) return e;
  if ((e = oneOf(c, 'segment', 'customer.', SEGMENT_SET)) !== null) return e;
  const st = c.state;
  if (st === undefined) return 'customer.state is missing';
  if (typeof st !== 'string') return `customer.state must be a string, got ${typeName(st)}`;
  if (!/^[A-Z]{2}$/.test(st)) return `customer.state must be 2 uppercase letters, got ${JSON.stringify(clip(st, 16))}`;
  if ((e = text(c, 'city', 'customer.', MAX_TEXT_CHARS)) !== null) return e;

  const p = nested(o, 'product');
  if (typeof p === 'string') return p;
  if ((e = text(p, 'product_id', 'product.', MAX_ID_CHARS)) !== null) return e;
  if ((e = text(p, 'name', 'product.', MAX_TEXT_CHARS)) !== null) return e;
  if ((e = text(p, 'category', 'product.', MAX_TEXT_CHARS)) !== null) return e;

  const pay = nested(o, 'payment');
  if (typeof pay === 'string') return pay;
  if ((e = text(pay, 'payment_id', 'payment.', MAX_ID_CHARS)) !== null) return e;
  if ((e = oneOf(pay, 'method', 'payment.', METHOD_SET)) !== null) return e;
  if ((e = oneOf(pay, 'status', 'payment.', PAY_STATUS_SET)) !== null) return e;
  const pm = pay.processing_ms;
  if (pm === undefined) return 'payment.processing_ms is missing';
  if (typeof pm !== 'number') return `payment.processing_ms must be a number, got ${typeName(pm)}`;
  if (!Number.isFinite(pm) || pm < 0 || pm > MAX_PROCESSING_MS) return `payment.processing_ms must be in [0, ${MAX_PROCESSING_MS}], got ${pm}`;
  if (pay.order_id !== undefined && pay.order_id !== o.order_id) return 'payment.order_id, when present, must equal order_id';
  return ts;
}
