import { describe, expect, it } from 'vitest';
import { alternativeRate, createCusum, cusumThreshold, stepCusum } from './cusum.ts';
import { DEFAULT_PARAMS } from './params.ts';

const C = DEFAULT_PARAMS.payment.cusum;
const HALF_LIFE = DEFAULT_PARAMS.payment.baselineHalfLifeS;

describe('Bernoulli CUSUM of one payment method', () => {
  it('the alternative is at least 30 % and at least double the baseline', () => {
    expect(alternativeRate(0.015, C)).toBe(0.3);
    expect(alternativeRate(0.2, C)).toBe(0.4);
    expect(alternativeRate(0.6, C)).toBe(0.9);
  });

  it('h = ln(attempts per day x budgetDays), from the decayed baseline count, never below hMin', () => {
    // 1 attempt per second at a 1 h half-life: ~5,194 decayed attempts; 86,400 attempts a day
    const decayed = 1 / (1 - Math.pow(0.5, 1 / HALF_LIFE));
    expect(cusumThreshold(decayed, HALF_LIFE, C)).toBeCloseTo(Math.log(86_400 * C.budgetDays), 2);
    expect(cusumThreshold(10, HALF_LIFE, C)).toBe(C.hMin);
  });

  it('alarms after about h / KL(p1||p0) attempts at p1, with the excursion start, and starts afresh', () => {
    const p0 = 0.08;
    const p1 = alternativeRate(p0, C);
    const h = 12;
    const kl = p1 * Math.log(p1 / p0) + (1 - p1) * Math.log((1 - p1) / (1 - p0));
    const c = createCusum();
    // a deterministic 30 % pattern: 3 failures in every 10 attempts, one attempt per second
    let alarm = null;
    let sec = 1000;
    while (alarm === null && sec < 2000) {
      alarm = stepCusum(c, sec, 1, sec % 10 < 3 ? 1 : 0, p0, h, 5, C);
      sec++;
    }
    expect(alarm).not.toBeNull();
    expect(alarm!.attempts).toBeGreaterThan(0.7 * (h / kl));
    expect(alarm!.attempts).toBeLessThan(1.3 * (h / kl));
    expect(alarm!.startedSec).toBe(1000);
    expect(alarm!.s).toBeGreaterThanOrEqual(h);
    expect(c).toEqual({ s: 0, from: null, a: 0, f: 0, d: 0 });
  });

  it('stays at 0 on successes, builds the reverse statistic up to its cap, and a second without attempts changes nothing', () => {
    const c = createCusum();
    for (let s = 0; s < 100; s++) expect(stepCusum(c, s, 5, 0, 0.08, 12, 5, C)).toBeNull();
    expect(c.s).toBe(0);
    expect(c.from).toBeNull();
    expect(c.d).toBe(C.dCap);
    const before = { ...c };
    expect(stepCusum(c, 100, 0, 0, 0.08, 12, 5, C)).toBeNull();
    expect(c).toEqual(before);
  });

  it('never alarms on fewer than minFailures failures, however unlikely they are', () => {
    const c = createCusum();
    // p0 = 0.001: each failure adds ln(300) = 5.7 nats; 4 failures are 22.8 > h
    for (let s = 0; s < 4; s++) expect(stepCusum(c, s, 1, 1, 0.001, 12, 5, C)).toBeNull();
    expect(c.s).toBeGreaterThan(12);
    expect(stepCusum(c, 4, 1, 1, 0.001, 12, 5, C)).not.toBeNull();
  });
});
