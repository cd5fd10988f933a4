/**
 * A per-method Bernoulli CUSUM of payment failures (docs/alerts.md "Low-volume methods"). Pure;
 * the state is plain JSON kept in the detector state (saved with the Kafka offsets).
 *
 * Each attempt adds its log-likelihood ratio of "failing at p1" against "failing at p0":
 * ln(p1/p0) for a failure, ln((1−p1)/(1−p0)) for a success; S = max(0, S + Σ) per evaluated
 * second. It alarms when S >= h. p0 is the method's learned baseline (payment.ts), p1 =
 * min(p1Max, max(p1Min, p1Rel × p0)). This reaches the sequential test's bound: telling p1 from
 * p0 takes about h / KL(p1‖p0) attempts, whatever the window; the windows need several times
 * that at a few attempts per minute.
 *
 * h: a CUSUM's run length without a change is at least e^h attempts (Lorden), so
 * h = ln(attempts per day × budgetDays) allows at most one false alarm per `budgetDays` days per
 * method (20: with 4 methods, at most one in 5 days in all; measured far fewer). The attempts per
 * day come from the baseline's decayed count (a rate r per second with half-life H gives
 * r × H / ln 2 decayed attempts), so h follows the method's volume through the day; h >= hMin.
 *
 * A reverse statistic D (evidence for p0 over p1, capped at dCap) says when a low-volume method
 * is normal again: D >= dClose (docs: resolve).
 */
import type { DetectorParams } from './params.ts';

export interface MethodCusum {
  /** The CUSUM statistic (nats). */
  s: number;
  /** Epoch second the current excursion began (S left 0), or null at 0. */
  from: number | null;
  /** Attempts and failures since `from`. */
  a: number;
  f: number;
  /** The reverse statistic: evidence that the method fails at p0 rather than p1 (0..dCap). */
  d: number;
}

export interface CusumAlarm {
  startedSec: number;
  attempts: number;
  failures: number;
  s: number;
  h: number;
  p1: number;
}

type CusumParams = DetectorParams['payment']['cusum'];

export const createCusum = (): MethodCusum => ({ s: 0, from: null, a: 0, f: 0, d: 0 });

/** The alternative failure rate for a baseline p0. */
export function alternativeRate(p0: number, c: CusumParams): number {
  return Math.min(c.p1Max, Math.max(c.p1Min, c.p1Rel * p0));
}

/** The alarm threshold h for a method whose baseline rests on `decayedAttempts` (half-life `halfLifeS`). */
export function cusumThreshold(decayedAttempts: number, halfLifeS: number, c: CusumParams): number {
  const perDay = (decayedAttempts * Math.LN2 * 86_400) / halfLifeS;
  return Math.max(c.hMin, Math.log(Math.max(1, perDay * c.budgetDays)));
}

/**
 * One evaluated second of a method: `a` attempts, `f` failures, against baseline p0. Returns the
 * alarm when S reached h with at least `minFailures` failures in the excursion, and then starts
 * afresh (S = 0, D = 0); otherwise null.
 */
export function stepCusum(c: MethodCusum, sec: number, a: number, f: number, p0: number, h: number, minFailures: number, params: CusumParams): CusumAlarm | null {
  if (a <= 0) return null;
  const p1 = alternativeRate(p0, params);
  const lf = Math.log(p1 / p0);
  const ls = Math.log((1 - p1) / (1 - p0));
  const llr = f * lf + (a - f) * ls;
  const next = c.s + llr;
  if (next <= 0) {
    c.s = 0;
    c.from = null;
    c.a = 0;
    c.f = 0;
  } else {
    if (c.from === null) c.from = sec;
    c.s = next;
    c.a += a;
    c.f += f;
  }
  c.d = Math.min(params.dCap, Math.max(0, c.d - llr));
  if (c.s < h || c.f < minFailures || c.from === null) return null;
  const alarm: CusumAlarm = { startedSec: c.from, attempts: c.a, failures: c.f, s: c.s, h, p1 };
  c.s = 0;
  c.from = null;
  c.a = 0;
  c.f = 0;
  c.d = 0;
  return alarm;
}
