import { describe, expect, it } from 'vitest';
import { formatCents, fromCents, toCents } from './money.ts';

describe('toCents', () => {
  it('is exact for 2-decimal values', () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(0.07) * 100).toBe(700);
    expect(toCents(99_999_999.99)).toBe(9_999_999_999);
  });

  it('is exact where x*100 is not an integer in binary', () => {
    for (const [amount, cents] of [[0.29, 29], [1.15, 115], [4.35, 435], [1005.07, 100507], [1234567890123.45, 123456789012345]] as const) {
      expect(toCents(amount)).toBe(cents);
    }
  });
});

describe('fromCents and formatCents', () => {
  it('give back the 2-decimal amount', () => {
    for (let c = -1000; c <= 100_000; c += 97) {
      expect(fromCents(c)).toBe(Number((c / 100).toFixed(2)));
      expect(formatCents(c)).toBe((c / 100).toFixed(2));
      expect(toCents(fromCents(c))).toBe(c);
    }
    expect(formatCents(9_999_999_999)).toBe('99999999.99');
    expect(formatCents(-5)).toBe('-0.05');
    expect(formatCents(0)).toBe('0.00');
  });
});
