/**
 * Money of the order contract: every amount has at most 2 decimals, so it is an exact integer
 * number of CENTS. Code sums and compares cents; amounts become decimal numbers (or text) only
 * at the edges (the event, the served views, the archive's DECIMAL columns).
 */

/** Decimal places of every amount (the archive's DECIMAL scale). */
export const MONEY_SCALE = 2;
/** Decimal digits of an amount in storage: DECIMAL(18,2) holds any sum of maximal orders exactly. */
export const MONEY_PRECISION = 18;

/** Integer cents of an amount with at most 2 decimals (exact: x*100 is within 1e-6 of an integer). */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

/** Decimal amount of integer cents: the double nearest the 2-decimal value (prints as such). */
export function fromCents(cents: number): number {
  return cents / 100;
}

/** Integer cents as decimal text with exactly 2 decimals (`-12.05`), computed without floating point. */
export function formatCents(cents: number): string {
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = String(abs - whole * 100).padStart(2, '0');
  return `${cents < 0 ? '-' : ''}${whole}.${frac}`;
}
