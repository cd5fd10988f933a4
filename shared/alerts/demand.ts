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
 */
import type { Finding, Verdict } from './book.ts';
import type { DetectorParams } from './params.ts';
import { poissonZ } from './stats.ts';

export interface DemandInputs {
  /** Orders in each trailing window, by window length. */
  orders: Record<number, number>;
  /** Expected orders per minute at event time t (a conservative band), or null while the baseline is not ready. */
  expectedPerMinute(tMs: number): { low: number; high: number; source: string } | null;
  /** The campaigns tagged in the trailing window of w seconds, with their order counts. */
  campaigns(w: number): Record<string, number>;
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
    { key: 'demand_drop', kind: 'demand_drop', finding: drop, normal: rn >= d.dropResolveRatio * rex.lo, observed, expected: (rex.lo * 60) / rw },
    { key: 'demand_surge', kind: 'demand_surge', finding: surge, normal: rn <= d.surgeResolveRatio * rex.hi, observed, expected: (rex.hi * 60) / rw },
  ];
}
