import { describe, expect, it } from 'vitest';
import { createRng, hashString, mix32 } from './prng.ts';

describe('createRng', () => {
  it('is deterministic for (seed, stream) and differs across seeds and streams', () => {
    const seq = (seed: number, stream: string): number[] => {
      const r = createRng(seed, stream);
      return Array.from({ length: 8 }, () => r.u32());
    };
    expect(seq(1, 'a')).toEqual(seq(1, 'a'));
    expect(seq(1, 'a')).not.toEqual(seq(2, 'a'));
    expect(seq(1, 'a')).not.toEqual(seq(1, 'b'));
    expect(seq(2 ** 40, 'a')).not.toEqual(seq(0, 'a'));
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => createRng(-1)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
  });

  it('gives uniform floats in [0, 1) with the right mean and spread', () => {
    const r = createRng(7, 'uniform');
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.float();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      sq += x * x;
      buckets[Math.floor(x * 10)]! += 1;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const b of buckets) expect(Math.abs(b / n - 0.1)).toBeLessThan(0.005);
  });

  it('gives exponential and normal draws with the right moments', () => {
    const r = createRng(11, 'moments');
    const n = 200_000;
    let e = 0;
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      e += r.exp();
      const z = r.normal();
      m += z;
      v += z * z;
    }
    expect(e / n).toBeCloseTo(1, 1);
    expect(Math.abs(m / n)).toBeLessThan(0.01);
    expect(v / n).toBeCloseTo(1, 1);
  });

  it('int(n) covers 0..n-1 and chance(p) hits p', () => {
    const r = createRng(3);
    const seen = new Set<number>();
    let hits = 0;
    for (let i = 0; i < 50_000; i++) {
      seen.add(r.int(7));
      if (r.chance(0.3)) hits++;
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.abs(hits / 50_000 - 0.3)).toBeLessThan(0.01);
  });
});

describe('hashing', () => {
  it('hashString and mix32 are stable 32-bit values', () => {
    expect(hashString('orders')).toBe(hashString('orders'));
    expect(hashString('orders')).not.toBe(hashString('order'));
    expect(mix32(0)).not.toBe(mix32(1));
    expect(mix32(123) >>> 0).toBe(mix32(123));
  });
});
