/**
 * Engine rows -> AnalyticsResult: one normalisation for every engine (bigint or number or numeric
 * string in; safe integers out; NULL sums of an empty store are 0), so DuckDB and Spark results
 * compare field by field.
 */
import { InvariantError } from '../platform/errors.ts';
import type { RawResults, Row } from './queries.ts';
import type { AnalyticsResult, EngineName } from './types.ts';

function int(row: Row, key: string): number {
  const v = row[key];
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : v;
  if (!Number.isSafeInteger(n)) throw new InvariantError(`analytics: ${key} = ${String(v)} is not a safe integer`);
  return n;
}

function str(row: Row, key: string): string {
  const v = row[key];
  return v === null || v === undefined ? '' : String(v);
}

export function toResult(engine: EngineName, raw: RawResults, tookMs: number, asOf: Date = new Date()): AnalyticsResult {
  const s = raw.summary[0] ?? {};
  const p = raw.placement[0] ?? {};
  return {
    engine,
    as_of: asOf.toISOString(),
    took_ms: tookMs,
    summary: { orders: int(s, 'orders'), paid_orders: int(s, 'paid_orders'), revenue_cents: int(s, 'revenue_cents'), unique_customers: int(s, 'unique_customers'), payment_success: int(s, 'payment_success') },
    daily: raw.daily.map((r) => ({ day: str(r, 'day'), orders: int(r, 'orders'), paid_orders: int(r, 'paid_orders'), revenue_cents: int(r, 'revenue_cents'), unique_customers: int(r, 'unique_customers') })),
    categories: raw.categories.map((r) => ({ category: str(r, 'category'), orders: int(r, 'orders'), quantity: int(r, 'quantity'), revenue_cents: int(r, 'revenue_cents') })),
    state_category: raw.state_category.map((r) => ({ state: str(r, 'state'), category: str(r, 'category'), orders: int(r, 'orders'), revenue_cents: int(r, 'revenue_cents') })),
    payments_daily: raw.payments_daily.map((r) => ({ day: str(r, 'day'), method: str(r, 'method'), attempts: int(r, 'attempts'), failed: int(r, 'failed') })),
    placement: { orders_hot: int(p, 'orders_hot'), orders_archived: int(p, 'orders_archived'), duplicates_archived: int(p, 'duplicates_archived'), in_both: int(p, 'in_both') },
  };
}
