import { describe, expect, it } from 'vitest';
import { createRng } from './prng.ts';
import { geometric, logNormal, tableSampler, weightedSampler, zipfSampler } from './sampling.ts';

describe('weightedSampler', () => {
  it('draws indexes in proportion to their weights', () => {
    const s = weightedSampler([1, 0, 3, 6]);
    const r = createRng(1);
    const counts = [0, 0, 0, 0];
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[s.sample(r)]! += 1;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0]! / n - 0.1)).toBeLessThan(0.005);
    expect(Math.abs(counts[2]! / n - 0.3)).toBeLessThan(0.008);
    expect(Math.abs(counts[3]! / n - 0.6)).toBeLessThan(0.008);
    expect(s.prob(3)).toBeCloseTo(0.6, 12);
  });

  it('never selects zero-weight indexes, even at the ends of [0, 1)', () => {
    const s = weightedSampler([0, 0.1, 0.2, 0, 0]);
    expect(s.at(0)).toBe(1);
    expect(s.at(0.999999999)).toBe(2);
    expect(s.at(1 / 3)).toBe(2);
  });

  it('rejects empty, negative, infinite or all-zero weights', () => {
    expect(() => weightedSampler([])).toThrow(RangeError);
    expect(() => weightedSampler([1, -1])).toThrow(RangeError);
    expect(() => weightedSampler([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => weightedSampler([0, 0])).toThrow(RangeError);
  });
});

describe('zipfSampler', () => {
  it('gives rank k a share proportional to 1/k^s', () => {
    const n = 1000;
    const s = 1.0;
    const z = zipfSampler(n, s);
    let h = 0;
    for (let k = 1; k <= n; k++) h += 1 / k ** s;
    expect(z.prob(0)).toBeCloseTo(1 / h, 10);
    expect(z.prob(9)).toBeCloseTo(1 / 10 / h, 10);
    const r = createRng(5);
    let top = 0;
    const draws = 100_000;
    for (let i = 0; i < draws; i++) if (z.sample(r) < 10) top++;
    let expectTop = 0;
    for (let k = 0; k < 10; k++) expectTop += z.prob(k);
    expect(Math.abs(top / draws - expectTop)).toBeLessThan(0.01);
  });
});

describe('geometric and logNormal', () => {
  it('geometric has support {1..max} and mean 1/p', () => {
    const r = createRng(9);
    let sum = 0;
    let ones = 0;
    let outside = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const k = geometric(r, 0.5, 50);
      if (!(Number.isInteger(k) && k >= 1 && k <= 50)) outside++;
      sum += k;
      if (k === 1) ones++;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(2, 1);
    expect(Math.abs(ones / n - 0.5)).toBeLessThan(0.01);
    expect(geometric(r, 1)).toBe(1);
    expect(Math.max(...Array.from({ length: 1000 }, () => geometric(r, 0.01, 3)))).toBe(3);
  });

  it('logNormal has the given median', () => {
    const r = createRng(13);
    const xs = Array.from({ length: 50_001 }, () => logNormal(r, 40, 0.7)).sort((a, b) => a - b);
    expect(xs[25_000]! / 40).toBeGreaterThan(0.97);
    expect(xs[25_000]! / 40).toBeLessThan(1.03);
    expect(xs[0]!).toBeGreaterThan(0);
  });

  it('tableSampler maps weights to keys', () => {
    const t = tableSampler({ a: 0, b: 1 });
    const r = createRng(1);
    expect(new Set(Array.from({ length: 100 }, () => t.sample(r)))).toEqual(new Set(['b']));
  });
});
