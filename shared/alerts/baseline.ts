/**
 * The expected orders per minute for a moment of event time, LEARNED from the minutes seen
 * (docs/alerts.md "Demand baseline"). Pure; the state is plain JSON (it is stored in Redis).
 *
 * Two estimates (combined conservatively once both are ready: expectedAt):
 * - seasonal: a profile of orders per minute per time-of-day slot (default 10 minutes, UTC),
 *   averaged over the days seen (exponentially, newest day weight `dayAlpha`), interpolated
 *   linearly between slot midpoints, times the ratio of today to the profile (an EWMA over the
 *   last hour: weekdays, growth). Ready once both neighbouring slots were seen on an earlier day.
 * - bootstrap (before a day has been seen): Holt's linear smoothing of the per-minute counts
 *   (level + trend), projected to the moment asked about, so the morning ramp does not look like
 *   a surge and the evening decline not like a drop.
 * Minutes that overlap a demand alert are learned as the prediction (the trend line), so an
 * outage or a flash sale does not become the norm.
 */
import type { DetectorParams } from './params.ts';

const MINUTE_MS = 60_000;
const DAY_MIN = 1440;

export interface DemandBaseline {
  /** Minutes learned so far. */
  learned: number;
  /** The first `minLearnedMinutes` counts (warm-up), dropped once the level starts from their median. */
  warm: number[] | null;
  /** Holt state, per-minute counts. */
  level: number | null;
  trend: number;
  lastMinute: number | null;
  /** Seasonal profile: mean orders per minute per slot of the UTC day (null: not seen yet). */
  slots: (number | null)[];
  /** The slot being accumulated (one slot of one day): index of that slot since the epoch. */
  acc: { slot: number; sum: number; n: number } | null;
  /** Today vs the profile. */
  ratio: number | null;
  ratioN: number;
}

export function createBaseline(p: DetectorParams['demand']): DemandBaseline {
  return { learned: 0, warm: [], level: null, trend: 0, lastMinute: null, slots: new Array<number | null>(DAY_MIN / p.slotMinutes).fill(null), acc: null, ratio: null, ratioN: 0 };
}

/** The seasonal profile at event time t (orders per minute), or null where it is not known yet. */
export function seasonalAt(b: DemandBaseline, tMs: number, p: DetectorParams['demand']): number | null {
  const n = b.slots.length;
  const minuteOfDay = (((tMs / MINUTE_MS) % DAY_MIN) + DAY_MIN) % DAY_MIN;
  const x = minuteOfDay / p.slotMinutes - 0.5;
  const i0 = Math.floor(x);
  const a = b.slots[(i0 + n) % n];
  const c = b.slots[(i0 + 1 + n) % n];
  if (a == null || c == null) return null;
  return a + (c - a) * (x - i0);
}

function closeSlot(b: DemandBaseline, p: DetectorParams['demand']): void {
  const acc = b.acc;
  if (acc === null) return;
  b.acc = null;
  // A slot mostly skipped (alerts) or half seen (the stream started inside it) is not learned.
  if (acc.n < p.slotMinutes / 2) return;
  const mean = acc.sum / acc.n;
  const i = acc.slot % b.slots.length;
  const cur = b.slots[i];
  b.slots[i] = cur == null ? mean : cur + p.dayAlpha * (mean - cur);
}

/** Learn one complete minute (epoch minute index `minute`) with `count` orders. Minutes must come in order. */
export function learnMinute(b: DemandBaseline, minute: number, rawCount: number, p: DetectorParams['demand'], masked = false): void {
  // Robust learning: once a level exists, a minute counts at most -30/+40 % off the prediction, so
  // a sale or an outage the detectors could not see yet (the first minutes) barely moves it. A
  // minute an alert covers counts as the prediction itself: level and slot follow the (damped)
  // trend line through the incident without learning it (skipping it froze the level while the daily curve
  // moved, and the stale level raised the next false alert).
  let count = rawCount;
  if (b.level !== null && b.lastMinute !== null && b.learned >= 5) {
    const pred = Math.max(1, b.level + Math.max(1, minute - b.lastMinute) * b.trend);
    count = masked ? pred : Math.min(1.4 * pred, Math.max(0.7 * pred, rawCount));
    // Through an incident the trend is damped (× 0.8 a minute): a steep slope extrapolated for
    // the length of a sale ran far from the real curve (measured: −10/min for 20 minutes left
    // a sale's alert open and then raised a false drop).
    if (masked) b.trend *= 0.8;
  } else if (masked) return;
  // Today vs the profile, before the profile learns this minute's slot.
  const s = seasonalAt(b, (minute + 0.5) * MINUTE_MS, p);
  if (s !== null && s > 0) {
    const r = Math.min(2, Math.max(0.5, count / s));
    const keep = Math.pow(0.5, 1 / p.ratioHalfLifeMin);
    b.ratio = b.ratio === null ? r : keep * b.ratio + (1 - keep) * r;
    b.ratioN++;
  }
  // Holt's linear smoothing, minutes apart by `gap` (skipped minutes are a gap).
  if (b.level === null || b.lastMinute === null) {
    b.level = count;
    b.trend = 0;
  } else {
    const gap = Math.max(1, minute - b.lastMinute);
    const predicted = b.level + gap * b.trend;
    const level = p.levelAlpha * count + (1 - p.levelAlpha) * predicted;
    const cap = 0.03 * level;
    b.trend = Math.max(-cap, Math.min(cap, p.trendBeta * ((level - b.level) / gap) + (1 - p.trendBeta) * b.trend));
    b.level = level;
  }
  b.lastMinute = minute;
  b.learned++;
  // Warm-up: the level starts from the MEDIAN of the first minutes, so a flash sale in them (up to
  // half of them) does not become the level (measured: a sale in the first 15 minutes of a stream
  // raised a false drop right after).
  if (b.warm !== null && b.warm !== undefined) {
    b.warm.push(rawCount);
    if (b.warm.length >= p.minLearnedMinutes) {
      const sorted = [...b.warm].sort((x, y) => x - y);
      b.level = sorted[Math.floor(sorted.length / 2)]!;
      b.trend = 0;
      b.warm = null;
    }
  }
  // Seasonal slot accumulation.
  const slot = Math.floor(minute / p.slotMinutes);
  if (b.acc !== null && b.acc.slot !== slot) closeSlot(b, p);
  if (b.acc === null) b.acc = { slot, sum: 0, n: 0 };
  b.acc.sum += count;
  b.acc.n++;
}

/** A minute that is not learned (an alert covered it): it only closes the slot before it. */
export function skipMinute(b: DemandBaseline, minute: number, p: DetectorParams['demand']): void {
  const slot = Math.floor(minute / p.slotMinutes);
  if (b.acc !== null && b.acc.slot !== slot) closeSlot(b, p);
}

export interface Expectation {
  /** The conservative band: a drop is judged against `low`, a surge against `high`. */
  low: number;
  high: number;
  source: 'seasonal+recent' | 'recent';
}

/**
 * Expected orders per minute at event time t, or null while too little has been learned. Once the
 * seasonal profile is ready the two estimates are combined CONSERVATIVELY: low = the smaller,
 * high = the larger, so an error of either one (a profile learned on a day with incidents, a
 * recent level lagging a fast ramp) does not become an alert; a real drop or surge is far
 * outside both.
 */
export function expectedAt(b: DemandBaseline, tMs: number, p: DetectorParams['demand']): Expectation | null {
  if (b.learned < p.minLearnedMinutes || b.level === null || b.lastMinute === null) return null;
  // Project the trend at most 10 minutes ahead.
  const h = Math.min(10, Math.max(0, tMs / MINUTE_MS - (b.lastMinute + 0.5)));
  const recent = Math.max(b.level * 0.25, b.level + h * b.trend);
  if (b.ratio !== null && b.ratioN >= p.minRatioMinutes) {
    const s = seasonalAt(b, tMs, p);
    if (s !== null) {
      const seasonal = s * b.ratio;
      return { low: Math.min(seasonal, recent), high: Math.max(seasonal, recent), source: 'seasonal+recent' };
    }
  }
  return { low: recent, high: recent, source: 'recent' };
}
