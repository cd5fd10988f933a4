/**
 * The hostile-event corpus: deterministic malformed, hostile and edge-case messages, each with
 * the outcome ingest must give it. Built from valid events by mutation, so it follows the
 * contract as it evolves. Entries are meant to be ingested in order: `duplicate` and
 * `conflict` entries repeat an order_id accepted earlier in the list.
 *
 * Run `npx tsx tests/corpus/corpus.ts [out.jsonl]` to write it out (one JSON line per entry,
 * bytes in base64) for inspection or for feeding other tools.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DlqReason, OrderEvent } from '../../shared/contract/types.ts';
import { commandLine } from '../../shared/platform/args.ts';
import { validEvents } from './valid-events.ts';

export type Expected = DlqReason | 'accepted' | 'duplicate';

export interface CorpusEntry {
  name: string;
  bytes: Buffer;
  /** Kafka key; the order_id of the base event unless a case says otherwise. */
  key: string | null;
  expected: Expected;
}

const RAW = '__RAW_SENTINEL__';
const KIB = 1024;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i++) cur = cur[parts[i] as string] as Record<string, unknown>;
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** Values of every JSON type but the right one, per contract field. */
const FIELDS: { path: string; wrong: Json[] }[] = [
  { path: 'order_id', wrong: [123, null, ['x']] },
  { path: 'order_timestamp', wrong: [1714564800000, null, { t: 1 }] },
  { path: 'quantity', wrong: ['2', null, true] },
  { path: 'unit_price', wrong: ['12.50', null, [12.5]] },
  { path: 'shipping_cost', wrong: ['0', false, {}] },
  { path: 'tax_amount', wrong: ['1.00', null, [1]] },
  { path: 'total_amount', wrong: ['100.00', null, true] },
  { path: 'order_status', wrong: [1, null, ['completed']] },
  { path: 'customer', wrong: ['c-1', null, [{ customer_id: 'c-1' }]] },
  { path: 'product', wrong: ['p-1', 7, []] },
  { path: 'payment', wrong: [true, null, 'pay'] },
  { path: 'customer.customer_id', wrong: [42, null, { id: 1 }] },
  { path: 'customer.segment', wrong: [1, null, ['premium']] },
  { path: 'customer.state', wrong: [6, null, ['CA']] },
  { path: 'customer.city', wrong: [0, null, false] },
  { path: 'product.product_id', wrong: [9, null, ['p']] },
  { path: 'product.name', wrong: [1, null, { n: 'x' }] },
  { path: 'product.category', wrong: [true, null, []] },
  { path: 'payment.payment_id', wrong: [5, null, {}] },
  { path: 'payment.method', wrong: [2, null, ['paypal']] },
  { path: 'payment.status', wrong: [true, null, 'SUCCESS'] },
  { path: 'payment.processing_ms', wrong: ['120', null, [120]] },
];

const INVALID_UTF8: [string, number[]][] = [
  ['lone 0xFF', [0xff]],
  ['lone continuation 0x80', [0x80]],
  ['C3 28 (bad continuation)', [0xc3, 0x28]],
  ['overlong "/" C0 AF', [0xc0, 0xaf]],
  ['overlong NUL E0 80 80', [0xe0, 0x80, 0x80]],
  ['UTF-8 encoded surrogate ED A0 80', [0xed, 0xa0, 0x80]],
  ['beyond U+10FFFF F4 90 80 80', [0xf4, 0x90, 0x80, 0x80]],
  ['5-byte form F8 88 80 80 80', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ['Latin-1 é (E9)', [0xe9]],
  ['truncated 3-byte E2 82', [0xe2, 0x82]],
];

export function buildCorpus(): CorpusEntry[] {
  const bases = validEvents(400, { seed: 4242, prefix: 'corpus' });
  let next = 0;
  const out: CorpusEntry[] = [];
  const base = (): OrderEvent => structuredClone(bases[next++] as OrderEvent);
  const json = (e: unknown): string => JSON.stringify(e);
  const add = (name: string, bytes: Buffer | string, expected: Expected, key: string | null): void => {
    out.push({ name, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, key, expected });
  };
  /** Mutate one field of a fresh base event (value undefined = delete; raw = literal JSON text). */
  const mutate = (name: string, path: string, value: unknown, expected: Expected, raw?: string): void => {
    const e = base();
    const key = e.order_id; // the producer keys by the order_id it meant, even when the field is broken
    setPath(e, path, raw === undefined ? value : RAW);
    const text = raw === undefined ? json(e) : json(e).replace(`"${RAW}"`, raw);
    add(name, text, expected, key);
  };
  /** A consistent event with its money fields set (total recomputed in cents). */
  const priced = (name: string, q: number, price: number, ship: number, tax: number, total: number | null, expected: Expected): void => {
    const e = base();
    e.quantity = q;
    e.unit_price = price;
    e.shipping_cost = ship;
    e.tax_amount = tax;
    e.total_amount = total ?? (q * Math.round(price * 100) + Math.round(ship * 100) + Math.round(tax * 100)) / 100;
    add(name, json(e), expected, e.order_id);
  };

  // ---- valid references (accepted) -------------------------------------------------------------
  const accepted: OrderEvent[] = [];
  for (let i = 0; i < 5; i++) {
    const e = base();
    accepted.push(e);
    add(`valid #${i}`, json(e), 'accepted', e.order_id);
  }

  // ---- truncated JSON at many cut points -------------------------------------------------------
  {
    const e = base();
    const text = json(e);
    const cuts = 48;
    for (let i = 0; i < cuts; i++) {
      const at = Math.floor((i * (text.length - 1)) / (cuts - 1));
      add(`truncated at ${at}/${text.length}`, text.slice(0, at), 'invalid_json', e.order_id);
    }
  }

  // ---- not JSON / trailing garbage / not an object --------------------------------------------
  {
    const e = base();
    const text = json(e);
    const k = e.order_id;
    for (const [name, t] of [
      ['trailing x', text + 'x'],
      ['trailing }', text + '}'],
      ['two objects', text + ' {}'],
      ['trailing comma', text + ','],
      ['single quotes', text.replaceAll('"', "'")],
      ['unquoted keys', text.replace('"order_id"', 'order_id')],
      ['trailing comma inside', text.slice(0, -1) + ',}'],
      ['comment', '/* hi */' + text],
      ['hex number', text.replace(/"quantity":\d+/, '"quantity":0x2')],
      ['leading zero number', text.replace(/"quantity":\d+/, '"quantity":01')],
      ['plus sign number', text.replace(/"quantity":\d+/, '"quantity":+1')],
      ['raw control char in string', text.replace('"order_id":"', '"order_id":"\u0001')],
      ['invalid escape', text.replace('"order_id":"', '"order_id":"\\x41')],
      ['XML', '<order id="1"/>'],
      ['plain text', 'hello world'],
      ['empty', ''],
      ['whitespace only', '   \n\t '],
    ] as const) add(name, t, 'invalid_json', k);
    for (const [name, t] of [
      ['array of events', `[${text}]`],
      ['empty array', '[]'],
      ['number', '42'],
      ['negative number', '-1'],
      ['string', '"order"'],
      ['JSON null', 'null'],
      ['true', 'true'],
      ['false', 'false'],
    ] as const) add(`top-level ${name}`, t, 'invalid_json', null);
    const bom = base();
    add('UTF-8 BOM before object', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(bom))]), 'invalid_json', bom.order_id);
  }

  // ---- wrong types and missing fields ----------------------------------------------------------
  for (const f of FIELDS) {
    for (const w of f.wrong) mutate(`${f.path} = ${JSON.stringify(w)}`, f.path, w, 'schema');
    mutate(`${f.path} missing`, f.path, undefined, 'schema');
  }

  // ---- NaN / Infinity / out-of-range numbers ---------------------------------------------------
  for (const lit of ['NaN', 'Infinity', '-Infinity', 'undefined', '1.2.3', '--1', '.5', '5.']) mutate(`unit_price literal ${lit}`, 'unit_price', null, 'invalid_json', lit);
  for (const s of ['NaN', 'Infinity', '-Infinity', '1e2']) mutate(`unit_price string "${s}"`, 'unit_price', s, 'schema');
  mutate('unit_price 1e309 (parses to Infinity)', 'unit_price', null, 'schema', '1e309');
  mutate('total_amount -1e309', 'total_amount', null, 'schema', '-1e309');
  mutate('quantity 1e309', 'quantity', null, 'schema', '1e309');
  mutate('shipping_cost -0.001', 'shipping_cost', -0.001, 'schema');
  mutate('tax_amount -0.01', 'tax_amount', -0.01, 'schema');
  mutate('unit_price 3 decimals 12.345', 'unit_price', 12.345, 'schema');
  mutate('unit_price 1.005', 'unit_price', 1.005, 'schema');
  mutate('shipping_cost 0.001', 'shipping_cost', 0.001, 'schema');
  mutate('unit_price 1e-7', 'unit_price', null, 'schema', '1e-7');
  mutate('unit_price over the cap 1e12', 'unit_price', 1e12, 'schema');
  mutate('quantity 0', 'quantity', 0, 'schema');
  mutate('quantity -1', 'quantity', -1, 'schema');
  mutate('quantity 1.5', 'quantity', 1.5, 'schema');
  mutate('quantity 2^53+1 literal', 'quantity', null, 'schema', '9007199254740993');
  mutate('quantity 1e7', 'quantity', 1e7, 'schema');
  mutate('processing_ms -1', 'payment.processing_ms', -1, 'schema');
  mutate('processing_ms 1e12', 'payment.processing_ms', 1e12, 'schema');
  // Edge values that are fine.
  priced('shipping_cost -0 (is 0)', 2, 10.5, -0, 1.5, null, 'accepted');
  priced('float trap 3 × 0.10', 3, 0.1, 0, 0, 0.3, 'accepted');
  priced('float trap 0.07 × 100', 100, 0.07, 0, 0, 7, 'accepted');
  priced('total off by exactly 1 cent (tolerated)', 2, 19.99, 5, 1.25, 46.24, 'accepted');
  priced('zero-price order', 1, 0, 0, 0, 0, 'accepted');
  {
    const e = base();
    const text = json(e).replace(`"quantity":${e.quantity}`, `"quantity":${e.quantity}.0`);
    add('quantity written 2.0 (integer value)', text, 'accepted', e.order_id);
  }

  // ---- wrong totals ----------------------------------------------------------------------------
  priced('total off by 2 cents', 2, 19.99, 5, 1.25, 46.25, 'total_mismatch');
  priced('total zero', 3, 10, 2, 1, 0, 'total_mismatch');
  priced('total ignores quantity', 4, 10, 0, 0, 10, 'total_mismatch');
  priced('total ignores shipping', 1, 10, 7.5, 0, 10, 'total_mismatch');
  priced('total ignores tax', 1, 10, 0, 0.8, 10, 'total_mismatch');
  priced('total doubled', 2, 12.34, 1, 1, 53.36, 'total_mismatch');
  priced('total off by 1 dollar', 1, 99.99, 0, 0, 100.99, 'total_mismatch');
  priced('total huge vs small order', 1, 1, 0, 0, 99_999_999.99, 'total_mismatch');
  priced('float-summed total 0.1+0.2 style off', 3, 0.1, 0.2, 0, 0.55, 'total_mismatch');
  priced('total negative-looking via tax', 1, 10, 0, 5, 5, 'total_mismatch');

  // ---- enums, state, ids, text lengths ----------------------------------------------------------
  for (const v of ['shipped', 'COMPLETED', '', 'complete', ' completed']) mutate(`order_status "${v}"`, 'order_status', v, 'schema');
  for (const v of ['gold', 'Premium', '']) mutate(`segment "${v}"`, 'customer.segment', v, 'schema');
  for (const v of ['cash', 'CREDIT_CARD', 'credit card']) mutate(`method "${v}"`, 'payment.method', v, 'schema');
  for (const v of ['ok', 'failure', 'Success']) mutate(`payment status "${v}"`, 'payment.status', v, 'schema');
  for (const v of ['ca', 'CAL', 'C', '12', 'C1', '', 'ÇA']) mutate(`state "${v}"`, 'customer.state', v, 'schema');
  mutate('empty order_id', 'order_id', '', 'schema');
  mutate('65-char order_id', 'order_id', 'o'.repeat(65), 'schema');
  mutate('empty customer_id', 'customer.customer_id', '', 'schema');
  mutate('65-char product_id', 'product.product_id', 'p'.repeat(65), 'schema');
  mutate('empty payment_id', 'payment.payment_id', '', 'schema');
  mutate('empty product name', 'product.name', '', 'schema');
  mutate('60 KiB product name (text fields are capped at 256 chars)', 'product.name', 'n'.repeat(60 * KIB), 'schema');
  mutate('257-char city', 'customer.city', 'c'.repeat(257), 'schema');
  mutate('customer._id reserved', 'customer._id', 'x', 'schema');
  mutate('payment.order_id differs', 'payment.order_id', 'someone-else', 'schema');
  {
    const e = base();
    e.order_id = 'x'.repeat(64);
    add('64-char order_id', json(e), 'accepted', e.order_id);
    const u = base();
    u.order_id = '🛒'.repeat(64); // 64 code points, 128 UTF-16 units
    add('64-emoji order_id', json(u), 'accepted', u.order_id);
    const n = base();
    n.product.name = 'ñ'.repeat(256);
    add('256-char name', json(n), 'accepted', n.order_id);
  }

  // ---- timestamps ------------------------------------------------------------------------------
  for (const ts of [
    '2024-05-01 12:00:00',
    '2024-05-01T12:00:00',
    '2024-05-01T12:00:00+02:00',
    '2024-05-01T12:00:00-00:00',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T12:60:00Z',
    '2024-05-01T12:00:60Z',
    '2024-05-01T12:00:00.Z',
    '2024-05-01T12:00:00.1234567890Z',
    '2024-5-1T12:00:00Z',
    '1714564800',
    'yesterday',
    '',
    '2100-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '+002024-05-01T12:00:00Z',
    '2024-05-01T12:00:00Zjunk',
  ]) mutate(`timestamp "${ts}"`, 'order_timestamp', ts, 'schema');
  for (const ts of ['2024-02-29T23:59:59.999999Z', '2024-05-01T12:00:00+00:00', '2024-05-01T12:00:00Z']) mutate(`timestamp "${ts}" ok`, 'order_timestamp', ts, 'accepted');

  // ---- forbidden keys at every depth ------------------------------------------------------------
  const forbidden: [string, (e: Record<string, unknown>) => void][] = [
    ['top-level $where', (e) => (e.$where = 'sleep(1000)')],
    ['top-level $set', (e) => (e.$set = { total_amount: 0 })],
    ['customer.$gt', (e) => ((e.customer as Record<string, unknown>).$gt = '')],
    ['product.meta.$ne', (e) => ((e.product as Record<string, unknown>).meta = { $ne: 1 })],
    ['payment.$inc', (e) => ((e.payment as Record<string, unknown>).$inc = { n: 1 })],
    ['$ key in an array element', (e) => (e.tags = [{ ok: 1 }, { $eq: 2 }])],
    ['$ key 5 levels deep', (e) => (e.extra = { a: { b: { c: { $d: 1 } } } })],
    ['a lone $ key', (e) => (e.$ = 1)],
    ['dotted key a.b', (e) => (e['a.b'] = 1)],
    ['dotted nested key', (e) => ((e.customer as Record<string, unknown>)['addr.zip'] = '12345')],
    ['empty key', (e) => (e[''] = 1)],
    ['NUL in key', (e) => (e['a\u0000b'] = 1)],
  ];
  for (const [name, f] of forbidden) {
    const e = base() as unknown as Record<string, unknown>;
    f(e);
    add(`forbidden key: ${name}`, json(e), 'forbidden_key', e.order_id as string);
  }
  // Prototype-pollution names: written as text (an object literal would not carry __proto__ as a key).
  {
    const pollution = [
      ['top-level __proto__', (t: string) => t.replace('{', '{"__proto__":{"polluted":true},')],
      ['customer.__proto__', (t: string) => t.replace('"customer":{', '"customer":{"__proto__":{"isAdmin":true},')],
      ['top-level constructor', (t: string) => t.replace('{', '{"constructor":{"prototype":{"x":1}},')],
      ['nested prototype', (t: string) => t.replace('"product":{', '"product":{"prototype":{"x":1},')],
      ['__proto__ inside array', (t: string) => t.replace('{', '{"list":[{"__proto__":null}],')],
      ['top-level __proto__ key with a string value', (t: string) => t.replace('{', '{"__proto__":"x",')],
    ] as const;
    for (const [name, f] of pollution) {
      const e = base();
      add(`forbidden key: ${name}`, f(json(e)), 'forbidden_key', e.order_id);
    }
    const e = base();
    add('value "__proto__" (not a key) is fine', json({ ...e, note: '__proto__', comment: '$set' }), 'accepted', e.order_id);
  }

  // ---- sizes and depth -------------------------------------------------------------------------
  for (const [name, n] of [
    ['64 KiB + 1 extra field', 64 * KIB],
    ['100 KiB extra field', 100 * KIB],
    ['1 MiB extra field', KIB * KIB],
  ] as const) {
    const e = base();
    add(`oversize: ${name}`, json({ ...e, blob: 'x'.repeat(n) }), 'oversize', e.order_id);
  }
  {
    const e = base();
    add('oversize: 70 KiB of invalid bytes (size checked first)', Buffer.alloc(70 * KIB, 0xff), 'oversize', e.order_id);
    const f = base();
    add('oversize: 70 KiB truncated JSON', json({ ...f, blob: 'y'.repeat(70 * KIB) }).slice(0, 68 * KIB), 'oversize', f.order_id);
    const g = base();
    add('60 KiB unknown field (under the limit: kept)', json({ ...g, notes: 'z'.repeat(60 * KIB) }), 'accepted', g.order_id);
    const h = base();
    const deep40 = '['.repeat(40) + ']'.repeat(40);
    add('40-level nested array in an extra field', json(h).replace('{', `{"deep":${deep40},`), 'schema', h.order_id);
    const i = base();
    const deepHuge = '['.repeat(30_000) + ']'.repeat(30_000);
    add('30,000-level nesting (stack safety)', json(i).replace('{', `{"deep":${deepHuge},`), 'schema', i.order_id);
    const j = base();
    add('30,000-level nesting, unbalanced', '['.repeat(60_000), 'invalid_json', j.order_id);
    const k = base();
    let nestedObj = '{"leaf":1}';
    for (let d = 0; d < 40; d++) nestedObj = `{"n":${nestedObj}}`;
    add('40-level nested objects', json(k).replace('{', `{"deep":${nestedObj},`), 'schema', k.order_id);
    const l = base();
    add('forbidden key above a too-deep part wins', json(l).replace('{', `{"deep":${deep40},"$x":1,`), 'forbidden_key', l.order_id);
    const m = base();
    let ok = '1';
    for (let d = 0; d < 20; d++) ok = `{"n":${ok}}`;
    add('20-level nesting is fine', json(m).replace('{', `{"deep":${ok},`), 'accepted', m.order_id);
  }

  // ---- UTF-8 -----------------------------------------------------------------------------------
  for (const [name, bad] of INVALID_UTF8) {
    const e = base();
    const text = json(e);
    const at = text.indexOf(e.product.name) + 2;
    add(`invalid UTF-8: ${name}`, Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]), 'invalid_utf8', e.order_id);
  }
  {
    const e = base();
    add('lone high surrogate escape in name', json(e).replace(`"name":"`, '"name":"\\ud800'), 'invalid_utf8', e.order_id);
    const f = base();
    add('lone low surrogate escape in extra', json(f).replace('{', '{"x":"\\udc00",'), 'invalid_utf8', f.order_id);
    const g = base();
    add('lone surrogate escape in a key', json(g).replace('{', '{"k\\ud800":1,'), 'invalid_utf8', g.order_id);
    const h = base();
    add('escaped surrogate pair is fine', json(h).replace('{', '{"emoji":"\\ud83d\\uded2",'), 'accepted', h.order_id);
    const i = base();
    i.product.name = 'Café ☕ 日本 🛒';
    add('multibyte UTF-8 is fine', json(i), 'accepted', i.order_id);
  }

  // ---- Kafka key ---------------------------------------------------------------------------------
  {
    const e = base();
    add('key differs from order_id', json(e), 'key_mismatch', 'another-order');
    const f = base();
    add('empty key differs', json(f), 'key_mismatch', '');
    const g = base();
    add('no key is fine', json(g), 'accepted', null);
    const h = base();
    h.quantity = 0;
    add('schema beats key_mismatch', json(h), 'schema', 'another-order');
  }

  // ---- unknown fields are kept -------------------------------------------------------------------
  {
    const e = base() as OrderEvent & Record<string, unknown>;
    e.coupon = { code: 'SPRING', percent: 10 };
    e.tags = ['gift', 'express'];
    (e.customer as Record<string, unknown>).loyalty_tier = 3;
    (e.product as Record<string, unknown>).sku = 'SKU-1';
    (e.payment as Record<string, unknown>).card_last4 = '4242';
    add('unknown fields at every level', json(e), 'accepted', e.order_id);
  }

  // ---- duplicates and conflicts (of the accepted references above) ------------------------------
  for (const [i, e] of accepted.entries()) {
    add(`exact duplicate of valid #${i}`, json(e), 'duplicate', e.order_id);
  }
  {
    const a0 = accepted[0] as OrderEvent;
    // Same content, other key order and whitespace: still an exact duplicate.
    const reordered = Object.fromEntries(Object.entries(a0).reverse());
    add('duplicate with reordered keys and whitespace', JSON.stringify(reordered, null, 2), 'duplicate', a0.order_id);
    add('duplicate with 2.0-style numbers', json(a0).replace(`"quantity":${a0.quantity}`, `"quantity":${a0.quantity}.0`), 'duplicate', a0.order_id);
    add('duplicate without key', json(a0), 'duplicate', null);
    const conflicts: [string, (e: OrderEvent & Record<string, unknown>) => void][] = [
      ['other status', (e) => (e.order_status = e.order_status === 'cancelled' ? 'completed' : 'cancelled')],
      ['other customer', (e) => (e.customer.customer_id = 'c-intruder')],
      ['extra field added', (e) => (e.note = 'second thoughts')],
      ['other timestamp', (e) => (e.order_timestamp = '2024-05-02T00:00:00.000Z')],
      ['payment failed now', (e) => (e.payment.status = e.payment.status === 'success' ? 'failed' : 'success')],
    ];
    for (const [i, [name, f]] of conflicts.entries()) {
      const e = structuredClone(accepted[i % accepted.length] as OrderEvent) as OrderEvent & Record<string, unknown>;
      f(e);
      add(`conflict: ${name}`, json(e), 'conflict', e.order_id);
    }
    const a1 = structuredClone(accepted[1] as OrderEvent);
    a1.unit_price = a1.unit_price + 1;
    a1.total_amount = (a1.quantity * Math.round(a1.unit_price * 100) + Math.round(a1.shipping_cost * 100) + Math.round(a1.tax_amount * 100)) / 100;
    add('conflict: other price, consistent total', json(a1), 'conflict', a1.order_id);
  }
  return out;
}

/** Count of entries per expected outcome. */
export function corpusSummary(entries: CorpusEntry[]): Record<string, number> {
  const s: Record<string, number> = {};
  for (const e of entries) s[e.expected] = (s[e.expected] ?? 0) + 1;
  return s;
}

const USAGE = `Usage: npx tsx tests/corpus/corpus.ts [out.jsonl]

Writes the hostile-event corpus, one JSON line per entry (name, key, expected, bytes_b64), to
out.jsonl or to stdout; a count per expected outcome goes to stderr.

  -h, --help    this text`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cli = commandLine({ usage: USAGE, positionals: 1, options: { help: { type: 'boolean', short: 'h' } } });
  const target = cli.parseOrExit(process.argv.slice(2)).positionals[0];
  const entries = buildCorpus();
  const lines = entries.map((e) => JSON.stringify({ name: e.name, key: e.key, expected: e.expected, bytes_b64: e.bytes.toString('base64') }));
  if (target) writeFileSync(target, lines.join('\n') + '\n');
  else process.stdout.write(lines.join('\n') + '\n');
  process.stderr.write(`${entries.length} entries ${JSON.stringify(corpusSummary(entries))}\n`);
}
