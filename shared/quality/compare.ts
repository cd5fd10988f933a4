/**
 * The quality comparison (pure): the live KPIs (the served views, live.ts) against a fresh batch
 * recomputation (AnalyticsResult), field by field over everything both sides define:
 *
 *   summary.{orders, paid_orders, revenue, aov, unique_customers, payment_success_rate}
 *   orders_by_state.<state>.{orders, revenue}   live view vs batch state_category summed by state
 *   payments.<method>.{attempts, failed}        live view vs batch payments_daily summed by method
 *   placement.duplicates_archived               must be 0
 *   placement.orders                            orders_hot + orders_archived - in_both = live orders
 *
 * Money is compared in integer cents (the served 2-decimal amounts are exact cents); aov and
 * payment_success_rate are recomputed from the batch's integer counts with the live views' own
 * formulas (shared/kpi/money.ts), so equal inputs give bit-equal numbers. Segments, top products
 * and per-minute revenue have no batch counterpart and are not compared.
 *
 * Settled or not: when orders flow during the check the live views (read before and after the
 * batch run) bracket the batch. Every additive field only grows (accepted orders are immutable),
 * so it must lie in [before, after]; ratios (aov, payment_success_rate) are skipped then. Checks
 * that must hold whatever flows (no duplicate archive rows) are always exact.
 */
import { fromCents, toCents } from '../contract/money.ts';
import type { AnalyticsResult, QualityMismatch } from '../analytics/types.ts';
import { rate } from '../kpi/money.ts';
import type { LiveKpis } from './live.ts';
import type { DlqCounts, QualityCheckReport } from './types.ts';

type Unit = 'count' | 'cents' | 'ratio';

interface Pair {
  field: string;
  unit: Unit;
  /** Additive: only grows while orders are accepted (bracketed when not settled). */
  additive: boolean;
  live: number;
  /** The live value read after the batch run (not settled only). */
  after: number;
  batch: number;
}

interface Side {
  orders: number;
  revenue_cents: number;
}

function shown(unit: Unit, v: number): number {
  return unit === 'cents' ? fromCents(v) : v;
}

function liveStates(l: LiveKpis): Map<string, Side> {
  return new Map(l.orders_by_state.map((s) => [s.state, { orders: s.orders, revenue_cents: toCents(s.revenue) }]));
}

function livePayments(l: LiveKpis): Map<string, { attempts: number; failed: number }> {
  return new Map(l.payments.map((p) => [p.method, { attempts: p.attempts, failed: p.failed }]));
}

function sumBy<R, K extends string>(rows: readonly R[], key: (r: R) => string, fields: readonly K[], get: (r: R, f: K) => number): Map<string, Record<K, number>> {
  const out = new Map<string, Record<K, number>>();
  for (const r of rows) {
    const k = key(r);
    let acc = out.get(k);
    if (!acc) out.set(k, (acc = Object.fromEntries(fields.map((f) => [f, 0])) as Record<K, number>));
    for (const f of fields) acc[f] += get(r, f);
  }
  return out;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every pair of values the check compares. `after` defaults to `live` (settled). */
export function pairsOf(live: LiveKpis, batch: AnalyticsResult, after: LiveKpis = live): Pair[] {
  const pairs: Pair[] = [];
  const add = (field: string, unit: Unit, additive: boolean, l: number, a: number, b: number): void => {
    pairs.push({ field, unit, additive, live: l, after: a, batch: b });
  };
  const s = batch.summary;
  const [L, A] = [live.summary, after.summary];
  add('summary.orders', 'count', true, L.orders, A.orders, s.orders);
  add('summary.paid_orders', 'count', true, L.paid_orders, A.paid_orders, s.paid_orders);
  add('summary.revenue', 'cents', true, toCents(L.revenue), toCents(A.revenue), s.revenue_cents);
  add('summary.aov', 'cents', false, toCents(L.aov), toCents(A.aov), s.paid_orders === 0 ? 0 : Math.round(s.revenue_cents / s.paid_orders));
  add('summary.unique_customers', 'count', true, L.unique_customers, A.unique_customers, s.unique_customers);
  add('summary.payment_success_rate', 'ratio', false, L.payment_success_rate, A.payment_success_rate, rate(s.payment_success, s.orders));

  const [ls, as] = [liveStates(live), liveStates(after)];
  const bs = sumBy(batch.state_category, (r) => r.state, ['orders', 'revenue_cents'] as const, (r, f) => r[f]);
  for (const st of [...new Set([...ls.keys(), ...as.keys(), ...bs.keys()])].sort(byCodePoint)) {
    const [l, a, b] = [ls.get(st), as.get(st), bs.get(st)];
    add(`orders_by_state.${st}.orders`, 'count', true, l?.orders ?? 0, a?.orders ?? 0, b?.orders ?? 0);
    add(`orders_by_state.${st}.revenue`, 'cents', true, l?.revenue_cents ?? 0, a?.revenue_cents ?? 0, b?.revenue_cents ?? 0);
  }

  const [lp, ap] = [livePayments(live), livePayments(after)];
  const bp = sumBy(batch.payments_daily, (r) => r.method, ['attempts', 'failed'] as const, (r, f) => r[f]);
  for (const m of [...new Set([...lp.keys(), ...ap.keys(), ...bp.keys()])].sort(byCodePoint)) {
    const [l, a, b] = [lp.get(m), ap.get(m), bp.get(m)];
    add(`payments.${m}.attempts`, 'count', true, l?.attempts ?? 0, a?.attempts ?? 0, b?.attempts ?? 0);
    add(`payments.${m}.failed`, 'count', true, l?.failed ?? 0, a?.failed ?? 0, b?.failed ?? 0);
  }

  const p = batch.placement;
  // Must hold whatever flows: compared exactly (live = the required value).
  add('placement.duplicates_archived', 'count', false, 0, 0, p.duplicates_archived);
  // Every accepted order in exactly one place: an order in both (mid-move) is one order.
  add('placement.orders', 'count', true, L.orders, A.orders, p.orders_hot + p.orders_archived - p.in_both);
  return pairs;
}

/** Compare the pairs: exact when settled; when not, additive fields within [live, after], ratios skipped. */
export function comparePairs(pairs: readonly Pair[], settled: boolean): { checked_fields: number; details: QualityMismatch[] } {
  let checked = 0;
  const details: QualityMismatch[] = [];
  for (const p of pairs) {
    const exact = settled || p.field === 'placement.duplicates_archived';
    if (exact) {
      checked++;
      if (p.live !== p.batch) details.push({ field: p.field, live: shown(p.unit, p.live), batch: shown(p.unit, p.batch) });
    } else if (p.additive) {
      checked++;
      const [lo, hi] = [Math.min(p.live, p.after), Math.max(p.live, p.after)];
      if (p.batch < lo || p.batch > hi) details.push({ field: p.field, live: lo === hi ? shown(p.unit, lo) : `${shown(p.unit, lo)}..${shown(p.unit, hi)}`, batch: shown(p.unit, p.batch) });
    }
  }
  return { checked_fields: checked, details };
}

export interface CompareOptions {
  dlq: DlqCounts;
  /** The live views read after the batch run, when they changed during it (not settled). */
  after?: LiveKpis;
  now?: Date;
}

/** The quality report of one live read against one batch result. */
export function compare(live: LiveKpis, batch: AnalyticsResult, opts: CompareOptions): QualityCheckReport {
  const settled = opts.after === undefined;
  const { checked_fields, details } = comparePairs(pairsOf(live, batch, opts.after), settled);
  return {
    as_of: (opts.now ?? new Date()).toISOString(),
    engine: batch.engine,
    mismatches: details.length,
    checked_fields,
    orders_hot: batch.placement.orders_hot,
    orders_archived: batch.placement.orders_archived,
    duplicates_archived: batch.placement.duplicates_archived,
    dlq_by_reason: opts.dlq.by_reason,
    details,
    settled,
    in_both: batch.placement.in_both,
    live_version: live.version,
    live_as_of: live.as_of,
    batch_as_of: batch.as_of,
    batch_took_ms: batch.took_ms,
    dlq_records: opts.dlq.records,
    dlq_redelivered: opts.dlq.redelivered,
  };
}
