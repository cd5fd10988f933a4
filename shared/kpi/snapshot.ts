/**
 * Decode the reply of SNAPSHOT_LUA (nested arrays of strings/integers/nulls) into a RawSnapshot.
 * Pure; throws InvariantError when the reply does not have the expected shape.
 */
import { InvariantError } from '../platform/errors.ts';
import type { RawSnapshot } from './types.ts';

type Reply = unknown;

function arr(r: Reply, what: string): Reply[] {
  if (!Array.isArray(r)) throw new InvariantError(`kpi snapshot: ${what} is not an array`);
  return r;
}

function int(r: Reply, what: string): number {
  if (r === null || r === undefined) return 0;
  const n = typeof r === 'number' ? r : Number(String(r));
  if (!Number.isSafeInteger(n)) throw new InvariantError(`kpi snapshot: ${what}=${String(r)} is not an integer`);
  return n;
}

/** HGETALL reply (flat [field, value, …]) -> Map. */
function pairs(r: Reply, what: string): Map<string, string> {
  const a = arr(r, what);
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(String(a[i]), String(a[i + 1]));
  return m;
}

/** Split "<name>:<suffix>" at the LAST ':' (names may contain ':'). */
function splitField(f: string): [string, string] {
  const i = f.lastIndexOf(':');
  return i < 0 ? [f, ''] : [f.slice(0, i), f.slice(i + 1)];
}

/** Group "<name>:<suffix>" -> integer fields by name. */
function grouped(m: Map<string, string>, what: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const [f, v] of m) {
    const [name, suffix] = splitField(f);
    let g = out.get(name);
    if (!g) out.set(name, (g = {}));
    g[suffix] = int(v, `${what}.${f}`);
  }
  return out;
}

export function parseSnapshot(reply: Reply): RawSnapshot {
  const r = arr(reply, 'reply');
  if (r.length !== 11) throw new InvariantError(`kpi snapshot: expected 11 parts, got ${r.length}`);
  const sum = pairs(r[1], 'sum');
  const maxTsRaw = sum.get('max_ts');
  const max_ts = maxTsRaw === undefined ? null : int(maxTsRaw, 'max_ts');

  const minutes: RawSnapshot['minutes'] = [];
  if (max_ts !== null) {
    const mins = arr(r[2], 'minutes');
    const last = Math.floor(max_ts / 60_000);
    for (let k = 0; k < 60; k++) {
      minutes.push({ minute: last - 59 + k, orders: int(mins[2 * k], 'minute orders'), revenue_cents: int(mins[2 * k + 1], 'minute revenue') });
    }
  }

  const top = arr(r[3], 'top');
  const rev = arr(r[4], 'top revenue');
  const meta = arr(r[5], 'top meta');
  const top_products: RawSnapshot['top_products'] = [];
  for (let i = 0; i + 1 < top.length; i += 2) {
    const j = i / 2;
    const m = meta[j];
    let name = '';
    let category = '';
    if (typeof m === 'string') {
      const parsed: unknown = JSON.parse(m);
      if (Array.isArray(parsed)) {
        name = String(parsed[0] ?? '');
        category = String(parsed[1] ?? '');
      }
    }
    const score = Number(String(top[i + 1]));
    top_products.push({ product_id: String(top[i]), name, category, quantity: score === 0 ? 0 : -score, revenue_cents: int(rev[j], 'product revenue') });
  }

  const states = [...grouped(pairs(r[6], 'state'), 'state')].map(([state, g]) => ({ state, orders: g.o ?? 0, revenue_cents: g.r ?? 0 }));
  const payments = [...grouped(pairs(r[7], 'pay'), 'pay')].map(([method, g]) => ({ method, attempts: g.a ?? 0, success: g.s ?? 0, failed: g.f ?? 0, processing_us: g.us ?? 0 }));
  const segGroups = grouped(pairs(r[8], 'seg'), 'seg');
  const segCust = arr(r[9], 'segment customers');
  const segCards = new Map<string, number>();
  for (let i = 0; i + 1 < segCust.length; i += 2) segCards.set(String(segCust[i]), int(segCust[i + 1], 'segment customers'));
  const segments = [...segGroups].map(([segment, g]) => ({
    segment,
    orders: g.o ?? 0,
    paid_orders: g.p ?? 0,
    revenue_cents: g.r ?? 0,
    unique_customers: segCards.get(segment) ?? 0,
  }));

  return {
    version: int(r[0], 'version'),
    orders: int(sum.get('orders'), 'orders'),
    paid_orders: int(sum.get('paid'), 'paid'),
    revenue_cents: int(sum.get('rev'), 'rev'),
    success: int(sum.get('success'), 'success'),
    unique_customers: int(r[10], 'unique customers'),
    max_ts,
    minutes,
    top_products,
    states,
    payments,
    segments,
  };
}
