/**
 * The demo's history, planned (pure, no I/O): which seeded generator runs cover the past days up
 * to now, and how many of their orders fall before a time. `scripts/demo-history.ts` sends them.
 *
 * Two segments, back to back, ending at "now":
 *   days    [now − D days, now − 1 h)  the default model (flash sale every ~60 min), an event rate
 *                                      calibrated so that about (N − recent) orders fall in it;
 *   recent  [now − 1 h, now)           the live generator's model (its flash-sale spacing), with
 *                                      10 % of N (at least 1,200, at most half): ≥ ~10 × the days'
 *                                      density, so each of the 60 minutes the revenue-per-minute
 *                                      chart shows has orders, whatever the hour of the day.
 * Seeds: the demo seed + 1,000,000 (days) and + 2,000,000 (recent). The seed is the first part of
 * every order id (`o-<seed>-<run_id>-<seq>`), so history ids can never equal the live run's ids.
 */
import { createGenerator, type OrderGenerator } from '../dev/generator/generator.ts';
import { DEFAULT_MODEL, type ModelParams } from '../dev/generator/model.ts';

export const DAY_MS = 86_400_000;
/** Length of the recent segment (the revenue-per-minute chart shows 60 minutes). */
export const RECENT_MS = 3_600_000;
/** Share of the orders placed in the last hour, and at least this many (≈ 20 a minute) while under half. */
export const RECENT_SHARE = 0.1;
export const RECENT_MIN = 1200;
export const DAYS_SEED_OFFSET = 1_000_000;
export const RECENT_SEED_OFFSET = 2_000_000;

export interface HistorySegment {
  name: 'days' | 'recent';
  seed: number;
  startMs: number;
  /** The planned end; the last segment is sent on until the wall clock ("now" when sending). */
  endMs: number;
  eventRate: number;
  model: ModelParams;
  /** Orders planned in [startMs, endMs). */
  planned: number;
}

export interface HistoryPlanInput {
  nowMs: number;
  days: number;
  orders: number;
  /** The demo's seed (the live run's). */
  seed: number;
  /** The live generator's mean minutes between flash sales (the last hour uses its model). */
  liveFlashEveryMinutes?: number;
}

/** The model with flash sales every `minutes` on average (undefined: the default model). */
export function modelWithFlash(minutes: number | undefined): ModelParams {
  return minutes === undefined ? DEFAULT_MODEL : { ...DEFAULT_MODEL, flash: { ...DEFAULT_MODEL.flash, meanGapMinutes: minutes } };
}

/**
 * Advances `gen` over every order whose event time is before `endMs` (at most `max`) and returns
 * how many there were; `onOrder` sees each one's event time.
 */
export function advanceUntil(gen: OrderGenerator, endMs: number, max = Number.MAX_SAFE_INTEGER, onOrder?: (timeMs: number) => void): number {
  let n = 0;
  while (n < max && gen.timeMs < endMs) {
    onOrder?.(gen.timeMs);
    gen.next();
    n++;
  }
  return n;
}

/** An event rate that puts about `target` orders of the model in [startMs, endMs) (one correction pass). */
export function calibrateRate(seed: number, startMs: number, endMs: number, target: number, model: ModelParams): { eventRate: number; planned: number } {
  const spanS = (endMs - startMs) / 1000;
  const first = Math.max(target, 1) / spanS;
  const n0 = advanceUntil(createGenerator({ seed, start: startMs, eventRate: first, model }), endMs, target * 10 + 100);
  const eventRate = n0 > 0 ? (first * target) / n0 : first;
  return { eventRate, planned: advanceUntil(createGenerator({ seed, start: startMs, eventRate, model }), endMs, target * 10 + 100) };
}

export function planHistory(input: HistoryPlanInput): HistorySegment[] {
  const { nowMs, days, orders, seed } = input;
  if (!(days > 0) || !(orders >= 1)) return [];
  const startMs = Math.floor(nowMs - days * DAY_MS);
  const recentMs = Math.min(RECENT_MS, Math.floor((nowMs - startMs) / 2));
  const recentStart = nowMs - recentMs;
  const liveModel = modelWithFlash(input.liveFlashEveryMinutes);
  const recentTarget = recentMs < RECENT_MS ? Math.round(orders / 2) : Math.min(Math.round(orders / 2), Math.max(Math.round(orders * RECENT_SHARE), RECENT_MIN));
  const segments: HistorySegment[] = [];
  const daysTarget = orders - recentTarget;
  if (daysTarget > 0) {
    const s = seed + DAYS_SEED_OFFSET;
    segments.push({ name: 'days', seed: s, startMs, endMs: recentStart, model: DEFAULT_MODEL, ...calibrateRate(s, startMs, recentStart, daysTarget, DEFAULT_MODEL) });
  }
  if (recentTarget > 0) {
    const s = seed + RECENT_SEED_OFFSET;
    segments.push({ name: 'recent', seed: s, startMs: recentStart, endMs: nowMs, model: liveModel, ...calibrateRate(s, recentStart, nowMs, recentTarget, liveModel) });
  }
  return segments;
}
