/**
 * Arrival intensity over event time: a daily curve (peak hours, night trough) times a weekday
 * factor, times the multiplier of a flash sale when one is running. Flash sales form their own
 * seeded schedule (exponential gaps), generated lazily as event time advances.
 */
import type { FlashSaleModel, ModelParams } from './model.ts';
import type { Rng } from './prng.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Returns f(tMs): the daily x weekday multiplier at UTC epoch ms t (mean 1 over a week). */
export function createDailyCurve(m: Pick<ModelParams, 'hourly' | 'weekday' | 'utcOffsetHours'>): (tMs: number) => number {
  const hMean = m.hourly.reduce((a, b) => a + b, 0) / 24;
  const wMean = m.weekday.reduce((a, b) => a + b, 0) / 7;
  const hourly = m.hourly.map((x) => x / hMean);
  const weekday = m.weekday.map((x) => x / wMean);
  const offsetMs = m.utcOffsetHours * HOUR_MS;
  return (tMs) => {
    const local = tMs + offsetMs;
    const day = Math.floor(local / DAY_MS);
    // Hour values sit at hour midpoints; interpolate linearly, wrapping around midnight.
    const x = (local - day * DAY_MS) / HOUR_MS - 0.5;
    const i0 = Math.floor(x);
    const frac = x - i0;
    const a = hourly[(i0 + 24) % 24] as number;
    const b = hourly[(i0 + 25) % 24] as number;
    // 1970-01-01 was a Thursday; index 0 = Monday.
    const wd = weekday[(((day + 3) % 7) + 7) % 7] as number;
    return (a + (b - a) * frac) * wd;
  };
}

export interface FlashSale {
  /** 1-based number of the sale within the run. */
  n: number;
  campaign: string;
  startMs: number;
  endMs: number;
  multiplier: number;
  /** Fraction off the list price of the sale products (0.2 = 20 % off). */
  discount: number;
  /** Catalogue indexes of the products on sale. */
  products: readonly number[];
}

export interface FlashSchedule {
  /** The sale running at event time t (t must not decrease between calls), or null. */
  at(tMs: number): FlashSale | null;
  /** Sales seen so far (started at or before the last `at`). */
  readonly seen: readonly FlashSale[];
}

export function createFlashSchedule(rng: Rng, f: FlashSaleModel, startMs: number, catalogueSize: number): FlashSchedule {
  const seen: FlashSale[] = [];
  const disabled = f.meanGapMinutes <= 0;
  let n = 0;
  const make = (afterMs: number): FlashSale => {
    n += 1;
    const s = afterMs + rng.exp() * f.meanGapMinutes * 60_000;
    const minutes = f.minMinutes + rng.float() * (f.maxMinutes - f.minMinutes);
    const steps = Math.floor((f.maxDiscount - f.minDiscount) / 0.05 + 1e-9);
    const discount = Math.round((f.minDiscount + 0.05 * rng.int(steps + 1)) * 100) / 100;
    const k = Math.min(f.products, catalogueSize);
    const products: number[] = [];
    while (products.length < k) {
      const p = rng.int(catalogueSize);
      if (!products.includes(p)) products.push(p);
    }
    return { n, campaign: `flash-sale-${n}`, startMs: s, endMs: s + minutes * 60_000, multiplier: f.minMultiplier + rng.float() * (f.maxMultiplier - f.minMultiplier), discount, products };
  };
  let next: FlashSale | null = disabled ? null : make(startMs);
  return {
    seen,
    at(tMs) {
      while (next !== null && tMs >= next.endMs) next = make(next.endMs);
      if (next === null || tMs < next.startMs) return null;
      if (seen[seen.length - 1] !== next) seen.push(next);
      return next;
    },
  };
}
