/**
 * Demand detectors: surge and drop of orders per window against the expected level for that
 * moment (baseline.ts), one verdict each per evaluated second (docs/alerts.md "Demand"). Pure.
 *
 * Counts are Poisson: a window of W seconds expecting E orders is a drop when N <= 0.65 E and
 * its Poisson z (stats.ts) <= −4.5, a surge when N >= 1.5 E and z >= 4.5. Drop windows 20 s,
 * 60 s and 300 s (the 20 s one for the 60 s delay target); surge windows 60 s and 300 s; a window expecting fewer than 10 orders is not tested (orders stopping at a very low
 * rate is then seen by the 300 s window). Normal again (resolve) on the 60 s window, or the
 * 300 s one when 60 s expects fewer than 30 orders: N >= 0.85 E (drop), N <= 1.2 E (surge).
 * Drops are judged against the low end of the expected band, surges against the high end
 * (baseline.ts expectedAt). A surge names the flash sale whose campaign tags at least 10 % of the window's orders.
 *
 * During a flash sale (sale.ts) the 60 s window is also judged against the SALE's own level: the
 * sale's orders inflate the window far above the normal level, so a drop that begins during a sale
 * stays above the normal-level threshold until the sale ends. The test compares two Poisson counts
 * (the window's N in 60 s and the reference's M in R seconds) by the binomial test of N out of
 * N + M at rate 60 / (60 + R) (stats.ts binomialZ): the reference's own noise is accounted for.
 * Drop when N <= 0.65 x the sale level and z <= −4.5, as for the normal level; the alert is the
 * same `demand_drop` (subject scope=all, detail.sale names the sale). While a sale runs with a
 * ready reference, normal also needs N >= 0.85 x the sale level; while the window still holds
 * orders of a sale that ended, a second is not normal (its orders are not the shop's level).
 */
import type { Finding, Verdict } from './book.ts';
import type { DetectorParams } from './params.ts';
import type { SaleView } from './sale.ts';
import { binomialZ, poissonZ } from './stats.ts';

export interface DemandInputs {
  /** Orders in each trailing window, by window length. */
  orders: Record<number, number>;
  /** Expected orders per minute at event time t (a conservative band), or null while the baseline is not ready. */
  expectedPerMinute(tMs: number): { low: number; high: number; source: string } | null;
  /** The campaigns tagged in the trailing window of w seconds, with their order counts. */
  campaigns(w: number): Record<string, number>;
  /** The running sale and its reference level (sale.ts); absent: no sale-aware test. */
  sale?: SaleView;
}

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export function evaluateDemand(inp: DemandInputs, endMs: number, params: DetectorParams): Verdict[] {
  const d = params.demand;
  let drop: Finding | null = null;
  let surge: Finding | null = null;
  const expectedFor = (w: number): { lo: number; hi: number; source: string } | null => {
    const x = inp.expectedPerMinute(endMs - w * 500);
    return x === null ? null : { lo: (x.low * w) / 60, hi: (x.high * w) / 60, source: x.source };
  };
  const windows = [...new Set([...params.demandWindowsS, ...params.surgeWindowsS])].sort((a, b) => a - b);
  for (const w of windows) {
    const ex = expectedFor(w);
    if (ex === null) return [];
    if (ex.lo < d.minExpected) continue;
    const n = inp.orders[w] ?? 0;
    const zLo = poissonZ(n, ex.lo);
    const zHi = poissonZ(n, ex.hi);
    const detail = { window_s: w, orders: n, baseline: ex.source };
    if (drop === null && params.demandWindowsS.includes(w) && n <= d.dropRatio * ex.lo && zLo <= -d.zDrop) {
      drop = { startedMs: endMs - w * 1000, observed: (n * 60) / w, expected: (ex.lo * 60) / w, subject: { scope: 'all' }, severity: n <= d.criticalDropRatio * ex.lo ? 'critical' : 'warning', detail: { ...detail, expected_orders: r4(ex.lo), z: r4(zLo), ratio_threshold: d.dropRatio, z_threshold: -d.zDrop } };
    }
    if (surge === null && params.surgeWindowsS.includes(w) && n >= d.surgeRatio * ex.hi && zHi >= d.zSurge) {
      const c = inp.campaigns(w);
      let sale: string | null = null;
      let best = 0;
      for (const [name, k] of Object.entries(c)) if (k > best || (k === best && sale !== null && name < sale)) [sale, best] = [name, k];
      const subject: Record<string, string> = sale !== null && best >= 3 && best >= d.saleShare * n ? { scope: 'all', sale } : { scope: 'all' };
      surge = { startedMs: endMs - w * 1000, observed: (n * 60) / w, expected: (ex.hi * 60) / w, subject, severity: n >= d.criticalSurgeRatio * ex.hi ? 'critical' : 'warning', detail: { ...detail, expected_orders: r4(ex.hi), z: r4(zHi), ratio_threshold: d.surgeRatio, z_threshold: d.zSurge, ...(sale !== null ? { sale_orders: best } : {}) } };
    }
  }
  // A drop that begins during a flash sale: the 60 s window against the sale's own level.
  const ref = inp.sale?.ready ?? null;
  let saleNormal = true;
  if (ref !== null && ref.secs > 0) {
    const n = inp.orders[60] ?? 0;
    const e = (ref.orders * 60) / ref.secs;
    const z = binomialZ(n, n + ref.orders, 60 / (60 + ref.secs));
    saleNormal = n >= d.dropResolveRatio * e;
    if (drop === null && e >= d.minExpected && n <= d.dropRatio * e && z <= -d.zDrop) {
      drop = { startedMs: endMs - 60_000, observed: n, expected: e, subject: { scope: 'all' }, severity: n <= d.criticalDropRatio * e ? 'critical' : 'warning', detail: { window_s: 60, orders: n, baseline: 'sale', sale: ref.campaign, expected_orders: r4(e), reference_s: r4(ref.secs), z: r4(z), ratio_threshold: d.dropRatio, z_threshold: -d.zDrop } };
    }
  }
  // The resolve window: 60 s, or 300 s when 60 s expects too few orders to say.
  let rw = 60;
  let rex = expectedFor(60);
  if (rex === null) return [];
  if (rex.lo < 30) {
    rw = 300;
    rex = expectedFor(300);
    if (rex === null) return [];
  }
  const rn = inp.orders[rw] ?? 0;
  const observed = (rn * 60) / rw;
  return [
    { key: 'demand_drop', kind: 'demand_drop', finding: drop, normal: rn >= d.dropResolveRatio * rex.lo && saleNormal && inp.sale?.tail !== true, observed, expected: (rex.lo * 60) / rw },
    { key: 'demand_surge', kind: 'demand_surge', finding: surge, normal: rn <= d.surgeResolveRatio * rex.hi, observed, expected: (rex.hi * 60) / rw },
  ];
}
