/**
 * Averages, rates and time helpers of the KPI stage. Money is integer cents (the contract's
 * shared/contract/money.ts); cents become decimal numbers only when served.
 */
import { fromCents } from '../contract/money.ts';

/** Integer cents / count, rounded half up to the cent, as a decimal amount (0 when count is 0). */
export function averageAmount(cents: number, count: number): number {
  if (count === 0) return 0;
  return fromCents(Math.round(cents / count));
}

/** A fraction in [0, 1] (0 when the denominator is 0). */
export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

export const MINUTE_MS = 60_000;

/** The UTC minute (minutes since the epoch) of epoch milliseconds. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

/** ISO-8601 UTC start of a minute index. */
export function minuteIso(minute: number): string {
  return new Date(minute * MINUTE_MS).toISOString();
}

/** processing_ms as integer microseconds (exact for up to 3 decimals). */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/** Mean of integer microseconds over a count, in milliseconds rounded to 2 decimals. */
export function averageMs(micros: number, count: number): number {
  if (count === 0) return 0;
  return Math.round(micros / count / 10) / 100;
}
