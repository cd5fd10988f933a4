import { describe, expect, it } from 'vitest';
import { createDailyCurve, createFlashSchedule, type FlashSale } from './intensity.ts';
import { DEFAULT_MODEL } from './model.ts';
import { createRng } from './prng.ts';

const curve = createDailyCurve(DEFAULT_MODEL);
const HOUR = 3_600_000;
// Monday 2024-06-03 00:00 in the shop's local time (UTC-5).
const MONDAY_LOCAL_MIDNIGHT = Date.parse('2024-06-03T05:00:00Z');

describe('daily curve', () => {
  it('averages 1 over a week', () => {
    let sum = 0;
    const steps = 7 * 24 * 60;
    for (let i = 0; i < steps; i++) sum += curve(MONDAY_LOCAL_MIDNIGHT + i * 60_000);
    expect(sum / steps).toBeCloseTo(1, 3);
  });

  it('peaks in the evening and troughs at night (local time)', () => {
    const at = (hour: number): number => curve(MONDAY_LOCAL_MIDNIGHT + (hour + 0.5) * HOUR);
    expect(at(20)).toBeGreaterThan(5 * at(3));
    expect(at(12)).toBeGreaterThan(at(7));
    // The hour midpoints hit the configured (normalised) values exactly.
    const hMean = DEFAULT_MODEL.hourly.reduce((a, b) => a + b, 0) / 24;
    const wMean = DEFAULT_MODEL.weekday.reduce((a, b) => a + b, 0) / 7;
    expect(at(20)).toBeCloseTo(((DEFAULT_MODEL.hourly[20]! / hMean) * DEFAULT_MODEL.weekday[0]!) / wMean, 10);
  });

  it('is continuous across hours and midnight, and weekends are busier', () => {
    for (let m = 0; m < 48 * 60; m++) {
      const t = MONDAY_LOCAL_MIDNIGHT - HOUR + m * 60_000;
      const jump = Math.abs(curve(t + 60_000) - curve(t));
      if (jump > 0.05 && Math.floor((t + 60_000 - MONDAY_LOCAL_MIDNIGHT) / (24 * HOUR)) === Math.floor((t - MONDAY_LOCAL_MIDNIGHT) / (24 * HOUR))) throw new Error(`jump ${jump} at ${new Date(t).toISOString()}`);
    }
    const saturdayNoon = MONDAY_LOCAL_MIDNIGHT + 5 * 24 * HOUR + 12.5 * HOUR;
    const mondayNoon = MONDAY_LOCAL_MIDNIGHT + 12.5 * HOUR;
    expect(curve(saturdayNoon)).toBeGreaterThan(curve(mondayNoon));
  });
});

describe('flash-sale schedule', () => {
  const f = DEFAULT_MODEL.flash;
  const collect = (seed: number, count: number): FlashSale[] => {
    const s = createFlashSchedule(createRng(seed, 'flash'), f, 0, 360);
    let t = 0;
    while (s.seen.length < count) {
      s.at(t);
      t += 10_000;
    }
    return [...s.seen];
  };

  it('is deterministic, ordered, non-overlapping and within the configured bounds', () => {
    const a = collect(1, 400);
    expect(collect(1, 400)).toEqual(a);
    expect(collect(2, 5)).not.toEqual(a.slice(0, 5));
    let gaps = 0;
    for (let i = 0; i < a.length; i++) {
      const s = a[i]!;
      expect(s.n).toBe(i + 1);
      const minutes = (s.endMs - s.startMs) / 60_000;
      expect(minutes).toBeGreaterThanOrEqual(f.minMinutes);
      expect(minutes).toBeLessThanOrEqual(f.maxMinutes);
      expect(s.multiplier).toBeGreaterThanOrEqual(f.minMultiplier);
      expect(s.multiplier).toBeLessThanOrEqual(f.maxMultiplier);
      expect(s.discount).toBeGreaterThanOrEqual(f.minDiscount);
      expect(s.discount).toBeLessThanOrEqual(f.maxDiscount);
      expect(Math.round(s.discount * 100) % 5).toBe(0);
      expect(new Set(s.products).size).toBe(f.products);
      if (i > 0) {
        expect(s.startMs).toBeGreaterThanOrEqual(a[i - 1]!.endMs);
        gaps += s.startMs - a[i - 1]!.endMs;
      }
    }
    const meanGapMin = gaps / (a.length - 1) / 60_000;
    expect(Math.abs(meanGapMin - f.meanGapMinutes) / f.meanGapMinutes).toBeLessThan(0.15);
  });

  it('at(t) reports a sale exactly inside its window', () => {
    const [first] = collect(3, 1);
    const s = createFlashSchedule(createRng(3, 'flash'), f, 0, 360);
    expect(s.at(first!.startMs - 1)).toBeNull();
    expect(s.at(first!.startMs)?.n).toBe(1);
    expect(s.at(first!.endMs - 1)?.n).toBe(1);
    expect(s.at(first!.endMs)).toBeNull();
  });

  it('is off when meanGapMinutes is 0', () => {
    const s = createFlashSchedule(createRng(1), { ...f, meanGapMinutes: 0 }, 0, 360);
    for (let t = 0; t < 30 * 24 * HOUR; t += HOUR) expect(s.at(t)).toBeNull();
    expect(s.seen).toHaveLength(0);
  });
});
