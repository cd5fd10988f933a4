/**
 * Results of the batch analytics (docs/contracts.md §10), as an engine run produces them and as
 * they are stored in Redis (one JSON document, replaced whole: a failed run leaves the previous
 * one, whose `as_of` then shows its age). Money is integer cents inside; the served views
 * (views.ts) round to 2 decimals.
 */
export const ENGINE_NAMES = ['duckdb', 'spark'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface HistorySummaryRaw {
  orders: number;
  paid_orders: number;
  revenue_cents: number;
  unique_customers: number;
  /** Orders whose payment succeeded (for payment_success_rate). */
  payment_success: number;
}

export interface DailyRaw {
  day: string;
  orders: number;
  paid_orders: number;
  revenue_cents: number;
  unique_customers: number;
}

export interface CategoryRaw {
  category: string;
  orders: number;
  quantity: number;
  revenue_cents: number;
}

export interface StateCategoryRaw {
  state: string;
  category: string;
  orders: number;
  revenue_cents: number;
}

export interface PaymentDailyRaw {
  day: string;
  method: string;
  attempts: number;
  failed: number;
}

/** Where the orders are: each accepted order must be in exactly one place (in_both > 0 only mid-move). */
export interface Placement {
  orders_hot: number;
  orders_archived: number;
  duplicates_archived: number;
  /** Orders in the hot store that are also archived (a batch written, not yet deleted). */
  in_both: number;
}

export interface AnalyticsResult {
  engine: EngineName;
  /** ISO-8601 UTC time the run finished. */
  as_of: string;
  took_ms: number;
  summary: HistorySummaryRaw;
  daily: DailyRaw[];
  categories: CategoryRaw[];
  state_category: StateCategoryRaw[];
  payments_daily: PaymentDailyRaw[];
  placement: Placement;
}

/** One field on which the live KPIs and the batch recomputation disagree. */
export interface QualityMismatch {
  /** e.g. `summary.revenue`, `payments.crypto.attempts`, `placement.duplicates_archived`. */
  field: string;
  live: number | string | null;
  batch: number | string | null;
}

/** The data-quality check's report (GET /api/quality, docs/contracts.md §10). */
export interface QualityReport {
  as_of: string;
  /** The engine whose batch results were compared. */
  engine: EngineName;
  /** Fields compared and fields that disagree (a check that must hold, e.g. no duplicate archive rows, counts as a field). */
  checked_fields: number;
  mismatches: number;
  orders_hot: number;
  orders_archived: number;
  duplicates_archived: number;
  dlq_by_reason: Record<string, number>;
  details: QualityMismatch[];
}
