import { describe, expect, it } from 'vitest';
import { binomialZ, poissonZ, wilsonLower, wilsonUpper } from './stats.ts';

describe('wilson bounds', () => {
  it('account for volume: 3 of 3 is weak evidence, 300 of 1000 is strong', () => {
    expect(wilsonLower(3, 3, 4)).toBeLessThan(0.25);
    expect(wilsonLower(300, 1000, 4)).toBeGreaterThan(0.24);
    expect(wilsonLower(300, 1000, 4)).toBeLessThan(0.3);
    expect(wilsonUpper(300, 1000, 4)).toBeGreaterThan(0.3);
  });
  it('are defined for no attempts and stay within [0, 1]', () => {
    expect(wilsonLower(0, 0, 4)).toBe(0);
    expect(wilsonUpper(0, 0, 4)).toBe(1);
    expect(wilsonLower(0, 50, 4)).toBe(0);
    expect(wilsonUpper(50, 50, 4)).toBeLessThanOrEqual(1);
    expect(wilsonUpper(0, 100, 1)).toBeLessThan(0.02);
  });
});

describe('poissonZ', () => {
  it('is the signed root deviance: near (N - E)/sqrt(E) for large counts, honest in the tails', () => {
    expect(poissonZ(100, 100)).toBe(0);
    expect(poissonZ(10_100, 10_000)).toBeCloseTo(1, 1);
    expect(poissonZ(153, 102)).toBeCloseTo(4.7, 1);
    expect(poissonZ(0, 10)).toBeCloseTo(-Math.sqrt(20), 6);
    expect(poissonZ(0, 0)).toBe(0);
    expect(poissonZ(1, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('binomialZ', () => {
  it('needs volume: 6 of 8 at 75 % is weak evidence against 16 %, 300 of 1000 is overwhelming', () => {
    expect(binomialZ(6, 8, 0.16)).toBeLessThan(4);
    expect(binomialZ(3, 3, 0.16)).toBeLessThan(4);
    expect(binomialZ(300, 1000, 0.075)).toBeGreaterThan(15);
    expect(binomialZ(75, 1000, 0.075)).toBeCloseTo(0, 6);
    expect(binomialZ(10, 1000, 0.075)).toBeLessThan(0);
  });
});
