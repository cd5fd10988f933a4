import { describe, expect, it } from 'vitest';
import { createGenerator } from '../dev/generator/generator.ts';
import { DEFAULT_MODEL } from '../dev/generator/model.ts';
import { advanceUntil, calibrateRate, DAY_MS, DAYS_SEED_OFFSET, planHistory, RECENT_MS, RECENT_SEED_OFFSET } from './demo-history-plan.ts';

const NOW = Date.UTC(2026, 11, 2, 1, 30);

describe('advanceUntil', () => {
  it('counts the orders before a time and leaves the generator at the first one after it', () => {
    const gen = createGenerator({ seed: 3, start: NOW, eventRate: 10 });
    const times: number[] = [];
    const n = advanceUntil(gen, NOW + 60_000, Number.MAX_SAFE_INTEGER, (t) => times.push(t));
    expect(n).toBe(times.length);
    expect(n).toBeGreaterThan(100);
    expect(Math.max(...times)).toBeLessThan(NOW + 60_000);
    expect(gen.timeMs).toBeGreaterThanOrEqual(NOW + 60_000);
    expect(advanceUntil(gen, NOW + 60_000)).toBe(0);
  });
});

describe('calibrateRate', () => {
  it('puts about the target number of orders in the span', () => {
    const { eventRate, planned } = calibrateRate(5, NOW - 2 * DAY_MS, NOW, 20_000, DEFAULT_MODEL);
    expect(planned).toBeGreaterThan(19_000);
    expect(planned).toBeLessThan(21_000);
    expect(eventRate).toBeGreaterThan(0);
    expect(advanceUntil(createGenerator({ seed: 5, start: NOW - 2 * DAY_MS, eventRate, model: DEFAULT_MODEL }), NOW)).toBe(planned);
  });
});

describe('planHistory', () => {
  it('covers [now - days, now) with a days segment and a denser last hour with the live model, on their own seeds', () => {
    const plan = planHistory({ nowMs: NOW, days: 3, orders: 60_000, seed: 1, liveFlashEveryMinutes: 5 });
    expect(plan.map((s) => s.name)).toEqual(['days', 'recent']);
    const [days, recent] = plan as [(typeof plan)[0], (typeof plan)[0]];
    expect(days.startMs).toBe(NOW - 3 * DAY_MS);
    expect(days.endMs).toBe(recent.startMs);
    expect(recent.startMs).toBe(NOW - RECENT_MS);
    expect(recent.endMs).toBe(NOW);
    expect(days.seed).toBe(1 + DAYS_SEED_OFFSET);
    expect(recent.seed).toBe(1 + RECENT_SEED_OFFSET);
    expect(recent.model.flash.meanGapMinutes).toBe(5);
    expect(days.model).toBe(DEFAULT_MODEL);
    // 10 % in the last hour, the rest in the days before; about N in all.
    expect(Math.abs(recent.planned - 6000)).toBeLessThan(300);
    expect(Math.abs(days.planned - 54_000)).toBeLessThan(2700);
    // Every minute of the last hour has orders.
    const minutes = new Set<number>();
    advanceUntil(createGenerator({ seed: recent.seed, start: recent.startMs, eventRate: recent.eventRate, model: recent.model }), NOW, Number.MAX_SAFE_INTEGER, (t) => minutes.add(Math.floor(t / 60_000)));
    expect(minutes.size).toBe(60);
  });
  it('puts at least 1,200 orders (at most half) in the last hour of a small history', () => {
    expect(planHistory({ nowMs: NOW, days: 2, orders: 3000, seed: 2 }).map((s) => [s.name, Math.round(s.planned / 100)])).toEqual([
      ['days', 18],
      ['recent', 12],
    ]);
    expect(Math.round((planHistory({ nowMs: NOW, days: 2, orders: 1000, seed: 2 })[1]?.planned ?? 0) / 100)).toBe(5);
  });
  it('splits a span of two hours or less in halves', () => {
    const plan = planHistory({ nowMs: NOW, days: 1 / 24, orders: 1000, seed: 9 });
    expect(plan.map((s) => [s.name, s.startMs, s.endMs])).toEqual([
      ['days', NOW - RECENT_MS, NOW - RECENT_MS / 2],
      ['recent', NOW - RECENT_MS / 2, NOW],
    ]);
    expect(Math.abs((plan[1]?.planned ?? 0) - 500)).toBeLessThan(50);
  });
  it('plans nothing for no orders or no days', () => {
    expect(planHistory({ nowMs: NOW, days: 0, orders: 100, seed: 1 })).toEqual([]);
    expect(planHistory({ nowMs: NOW, days: 1, orders: 0, seed: 1 })).toEqual([]);
  });
});
