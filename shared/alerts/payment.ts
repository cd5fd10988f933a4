/**
 * Payment failure detector, one verdict per payment method per evaluated second
 * (docs/alerts.md "Payment failures"). Pure.
 *
 * Baseline p0: the method's own failure rate over the recent past (exponentially decayed
 * counts, half-life 1 h), learned only from seconds that have left every window (5 min late) and
 * that no alert of that method covers. Threshold pT = p0 + max(5 points, p0). A trailing window
 * (10 s, 60 s, 300 s: the short one reacts in seconds at high volume, the long one still sees a
 * low-volume method) is abnormal when it holds at least 5 failures and its failures are above pT
 * at z >= 4.5 by the binomial likelihood-ratio test (stats.ts binomialZ): the volume decides how
 * sure we are, and the test is against pT, not p0, so a significant but small rise is no alert. Normal again when
 * the 60 s window's Wilson upper bound at z = 1 is below pT.
 *
 * Beside the windows, a per-method Bernoulli CUSUM (cusum.ts) decides for methods with few attempts
 * per minute, near the sequential test's bound. Both feed the ONE verdict of the method (key
 * `payment_failure:<method>`): one alert per incident, whichever test saw it first (the window's
 * finding wins when both fire in the same second). When the 60 s window holds fewer than
 * `cusum.minResolveAttempts` attempts, "normal" is the CUSUM's reverse statistic (evidence for the
 * baseline over the alternative) at `cusum.dClose` together with the 300 s window's Wilson upper
 * bound below pT, not the 60 s Wilson bound (which, on a handful of attempts, says normal in the
 * middle of an outage).
 */
import type { Finding, Verdict } from './book.ts';
import type { DetectorParams } from './params.ts';
import type { CusumAlarm } from './cusum.ts';
import { binomialZ, wilsonUpper } from './stats.ts';

export interface MethodCounts {
  /** attempts, failures */
  a: number;
  f: number;
}

/** Window sums by window length: method -> [attempts, failures]. */
export type PaymentWindows = Record<number, Record<string, [number, number]> | undefined>;

/** The method's CUSUM this second: its alarm (if it fired) and the reverse statistic D. */
export interface CusumView {
  alarm: CusumAlarm | null;
  d: number;
}

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export function evaluatePayment(method: string, base: MethodCounts | undefined, windows: PaymentWindows, endMs: number, params: DetectorParams, cusum?: CusumView): Verdict | null {
  const p = params.payment;
  if (base === undefined || base.a < p.minBaselineAttempts) return null;
  const p0 = Math.max(0.001, base.f / base.a);
  const pT = p0 + Math.max(p.minLift, p0 * p.relLift);
  let finding: Finding | null = null;
  for (const w of params.paymentWindowsS) {
    const [a, f] = windows[w]?.[method] ?? [0, 0];
    if (f < p.minFailures) continue;
    const z = binomialZ(f, a, pT);
    if (z < p.zOpen) continue;
    const critical = binomialZ(f, a, Math.max(p.criticalRate, p0 * p.criticalRel)) >= p.zOpen;
    finding = {
      subject: { payment_method: method },
      startedMs: endMs - w * 1000,
      observed: f / a,
      expected: p0,
      severity: critical ? 'critical' : 'warning',
      detail: { test: 'window', window_s: w, attempts: a, failures: f, z: Math.round(z * 100) / 100, z_threshold: p.zOpen, threshold: Math.round(pT * 10_000) / 10_000, baseline_attempts: Math.round(base.a) },
    };
    break;
  }
  const alarm = cusum?.alarm ?? null;
  if (finding === null && alarm !== null) {
    const critical = binomialZ(alarm.failures, alarm.attempts, Math.max(p.criticalRate, p0 * p.criticalRel)) >= p.zOpen;
    finding = {
      subject: { payment_method: method },
      startedMs: alarm.startedSec * 1000,
      observed: alarm.failures / alarm.attempts,
      expected: p0,
      severity: critical ? 'critical' : 'warning',
      detail: { test: 'cusum', window_s: Math.round(endMs / 1000) - alarm.startedSec, attempts: alarm.attempts, failures: alarm.failures, cusum: r4(alarm.s), h: r4(alarm.h), p1: r4(alarm.p1), baseline_attempts: Math.round(base.a) },
    };
  }
  const [a60, f60] = windows[60]?.[method] ?? [0, 0];
  const shortFinding = finding !== null && (alarm !== null || Number(finding.detail.window_s) <= 60);
  const lowVolume = cusum !== undefined && a60 < p.cusum.minResolveAttempts;
  // Low volume: the reverse statistic AND the 300 s window's Wilson upper bound (a run of successes
  // inside an outage can build D alone; measured: an alert resolved 71 s before a 5.5/min outage ended).
  const [a300, f300] = windows[300]?.[method] ?? [0, 0];
  const normal = !shortFinding && (lowVolume ? cusum.d >= p.cusum.dClose && (a300 === 0 || wilsonUpper(f300, a300, p.zClose) < pT) : a60 === 0 || wilsonUpper(f60, a60, p.zClose) < pT);
  return { key: `payment_failure:${method}`, kind: 'payment_failure', finding, normal, observed: a60 === 0 ? 0 : f60 / a60, expected: p0 };
}
