/**
 * Incidents the generator can inject (issue 11; docs/generator.md "Incidents"), and the ground
 * truth the alert bench and tests read: every incident and every flash sale with its kind,
 * subject, onset and end in event time. Pure.
 *
 *   payment_outage  a payment method fails at `failureRate` (instead of its normal rate) in [start, end)
 *   demand_drop     arrivals are multiplied by `factor` in [start, end); factor 0: orders stop
 */
import { PAYMENT_METHODS, type PaymentMethod } from '../../shared/contract/types.ts';
import type { FlashSale } from './intensity.ts';

export type Incident =
  | { kind: 'payment_outage'; method: PaymentMethod; startMs: number; endMs: number; failureRate: number }
  | { kind: 'demand_drop'; startMs: number; endMs: number; factor: number };

/** One entry of the ground truth: what happened, to what, from when to when (event time, ISO). */
export interface IncidentTruth {
  kind: 'payment_outage' | 'demand_drop' | 'flash_sale';
  subject: Record<string, string>;
  onset: string;
  end: string;
  /** failure rate (outage), factor (drop) or intensity multiplier (flash sale). */
  level: number;
}

export const DEFAULT_OUTAGE_FAILURE_RATE = 0.4;
export const DEFAULT_DROP_FACTOR = 0;

export function validateIncidents(list: readonly Incident[]): void {
  for (const i of list) {
    if (!(Number.isFinite(i.startMs) && Number.isFinite(i.endMs) && i.endMs > i.startMs)) throw new RangeError(`incident ${i.kind}: end must be after start`);
    if (i.kind === 'payment_outage' && !(i.failureRate >= 0 && i.failureRate <= 1)) throw new RangeError('payment_outage failureRate must be in [0, 1]');
    if (i.kind === 'payment_outage' && !PAYMENT_METHODS.includes(i.method)) throw new RangeError(`payment_outage method must be one of ${PAYMENT_METHODS.join(', ')}`);
    if (i.kind === 'demand_drop' && !(i.factor >= 0 && i.factor < 1)) throw new RangeError('demand_drop factor must be in [0, 1)');
  }
  const drops = list.filter((i) => i.kind === 'demand_drop').sort((a, b) => a.startMs - b.startMs);
  for (let k = 1; k < drops.length; k++) if (drops[k]!.startMs < drops[k - 1]!.endMs) throw new RangeError('demand_drop incidents must not overlap');
}

/** The failure rate of `method` at t under the incidents, or `normal`. */
export function failureRateAt(list: readonly Incident[], method: PaymentMethod, tMs: number, normal: number): number {
  for (const i of list) if (i.kind === 'payment_outage' && i.method === method && tMs >= i.startMs && tMs < i.endMs) return i.failureRate;
  return normal;
}

/**
 * The next arrival from `now` for a unit exponential draw `e` at base intensity `lambda` (per ms),
 * with demand drops scaling the intensity piecewise (exact at their boundaries). Without drops:
 * now + e / lambda, as before incidents existed.
 */
export function nextArrival(list: readonly Incident[], now: number, e: number, lambda: number): number {
  let t = now;
  let left = e;
  for (;;) {
    let factor = 1;
    let boundary = Number.POSITIVE_INFINITY;
    for (const i of list) {
      if (i.kind !== 'demand_drop') continue;
      if (t >= i.startMs && t < i.endMs) {
        factor = i.factor;
        boundary = Math.min(boundary, i.endMs);
      } else if (i.startMs > t) boundary = Math.min(boundary, i.startMs);
    }
    const rate = lambda * factor;
    if (rate > 0) {
      const dt = left / rate;
      if (t + dt <= boundary) return t + dt;
      left -= rate * (boundary - t);
    }
    t = boundary;
  }
}

/** Ground truth: the incidents, then the flash sales seen, by onset. */
export function groundTruth(list: readonly Incident[], sales: readonly FlashSale[]): IncidentTruth[] {
  const iso = (ms: number): string => new Date(Math.floor(ms)).toISOString();
  const out: IncidentTruth[] = list.map((i): IncidentTruth =>
    i.kind === 'payment_outage'
      ? { kind: i.kind, subject: { payment_method: i.method }, onset: iso(i.startMs), end: iso(i.endMs), level: i.failureRate }
      : { kind: i.kind, subject: { scope: 'all' }, onset: iso(i.startMs), end: iso(i.endMs), level: i.factor },
  );
  for (const s of sales) out.push({ kind: 'flash_sale', subject: { sale: s.campaign }, onset: iso(s.startMs), end: iso(s.endMs), level: Math.round(s.multiplier * 100) / 100 });
  return out.sort((a, b) => a.onset.localeCompare(b.onset));
}

/**
 * Parses the command line's incident specs, times in minutes of event time after `startMs`:
 *   outage: METHOD@START+DURATION[:RATE]   e.g. credit_card@30+10:0.4 (rate default 0.4)
 *   drop:   START+DURATION[:FACTOR]        e.g. 90+5:0.3 (factor default 0: orders stop)
 */
export function parseIncidentSpecs(outages: readonly string[], drops: readonly string[], startMs: number): Incident[] {
  const at = (min: number): number => startMs + Math.round(min * 60_000);
  const list: Incident[] = [];
  for (const spec of outages) {
    const m = /^([a-z_]+)@(\d+(?:\.\d+)?)\+(\d+(?:\.\d+)?)(?::(\d*\.?\d+))?$/.exec(spec);
    if (!m) throw new RangeError(`--outage "${spec}": expected METHOD@START+DURATION[:RATE] in minutes, e.g. credit_card@30+10:0.4`);
    const method = m[1] as PaymentMethod;
    if (!PAYMENT_METHODS.includes(method)) throw new RangeError(`--outage "${spec}": method must be one of ${PAYMENT_METHODS.join(', ')}`);
    list.push({ kind: 'payment_outage', method, startMs: at(Number(m[2])), endMs: at(Number(m[2]) + Number(m[3])), failureRate: m[4] === undefined ? DEFAULT_OUTAGE_FAILURE_RATE : Number(m[4]) });
  }
  for (const spec of drops) {
    const m = /^(\d+(?:\.\d+)?)\+(\d+(?:\.\d+)?)(?::(\d*\.?\d+))?$/.exec(spec);
    if (!m) throw new RangeError(`--drop "${spec}": expected START+DURATION[:FACTOR] in minutes, e.g. 90+5:0.3 (factor 0 = orders stop)`);
    list.push({ kind: 'demand_drop', startMs: at(Number(m[1])), endMs: at(Number(m[1]) + Number(m[2])), factor: m[3] === undefined ? DEFAULT_DROP_FACTOR : Number(m[3]) });
  }
  validateIncidents(list);
  return list;
}
