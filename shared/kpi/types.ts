/**
 * Types of the KPI stage (docs/contracts.md §4). Money is integer CENTS everywhere inside; amounts
 * become decimal numbers (2 decimals) only in the served views.
 */
import type { LogicalType, OrderField, OrderFieldName } from '../contract/order.ts';

/** The contract fields (shared/contract/order.ts) KPIs read from an order. */
export const KPI_FIELDS = ['order_id', 'order_timestamp', 'quantity', 'total_amount', 'order_status', 'customer_id', 'segment', 'state', 'product_id', 'product_name', 'product_category', 'payment_method', 'payment_status', 'processing_ms'] as const satisfies readonly OrderFieldName[];

/** Their names in KpiOrder where they differ: money is read as integer cents, the event time as epoch milliseconds UTC. */
export const KPI_RENAMES = { order_timestamp: 'ts', total_amount: 'total_cents' } as const satisfies Partial<Record<KpiFieldName, string>>;

export type KpiFieldName = (typeof KPI_FIELDS)[number];
type KpiName<N extends KpiFieldName> = N extends keyof typeof KPI_RENAMES ? (typeof KPI_RENAMES)[N] : N;
type KpiValue<K extends LogicalType> = K extends 'string' ? string : number;

/** The attributes of one accepted order that KPIs group by or sum: read from an event, a fact document or an archived row (kpi/order.ts). */
export type KpiOrder = { [N in KpiFieldName as KpiName<N>]: KpiValue<Extract<OrderField, { name: N }>['kind']> };

/** What one order adds to the KPI counters: plain numbers, no business rules left for the store. */
export type Contribution = Pick<KpiOrder, 'order_id' | 'ts' | 'customer_id' | 'segment' | 'state' | 'product_id' | 'product_name' | 'product_category' | 'payment_method'> & {
  /** floor(ts / 60 000): the UTC minute. */
  minute: number;
  /** Quantity counted for top products: 0 when the order is cancelled. */
  quantity: number;
  /** Revenue in cents: total_amount when paid, else 0. */
  revenue_cents: number;
  /** 1 when payment succeeded and the order is not cancelled. */
  paid: 0 | 1;
  /** 1 when payment.status is success (whatever the order status). */
  success: 0 | 1;
  /** processing_ms in integer microseconds. */
  processing_us: number;
};

export interface SummaryView {
  orders: number;
  paid_orders: number;
  revenue: number;
  aov: number;
  unique_customers: number;
  payment_success_rate: number;
  /** When these figures were materialised (ISO-8601 UTC); null when nothing was ever materialised. */
  as_of: string | null;
}

export interface MinuteRow {
  /** Start of the UTC minute, ISO-8601 (`2026-11-24T10:15:00.000Z`). */
  minute: string;
  orders: number;
  revenue: number;
}

export interface ProductRow {
  product_id: string;
  name: string;
  category: string;
  quantity: number;
  revenue: number;
}

export interface StateRow {
  state: string;
  orders: number;
  revenue: number;
}

export interface PaymentRow {
  method: string;
  attempts: number;
  success: number;
  failed: number;
  success_rate: number;
  avg_processing_ms: number;
}

export interface SegmentRow {
  segment: string;
  orders: number;
  revenue: number;
  unique_customers: number;
  aov: number;
}

export interface Views {
  summary: SummaryView;
  revenue_per_minute: MinuteRow[];
  top_products: ProductRow[];
  orders_by_state: StateRow[];
  payments: PaymentRow[];
  segments: SegmentRow[];
}

export const VIEW_NAMES = ['summary', 'revenue_per_minute', 'top_products', 'orders_by_state', 'payments', 'segments'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/**
 * The raw counters read atomically from the store (one consistent snapshot), as integers.
 * Built by the store adapter, turned into views by `buildViews` (pure).
 */
export interface RawSnapshot {
  /** Bumped by every apply that changed something; 0 when nothing was ever applied. */
  version: number;
  orders: number;
  paid_orders: number;
  revenue_cents: number;
  success: number;
  unique_customers: number;
  /** Newest order_timestamp (epoch ms), null when no order. */
  max_ts: number | null;
  /** The 60 minutes ending at the newest order minute, oldest first. */
  minutes: { minute: number; orders: number; revenue_cents: number }[];
  /** Top products by quantity (desc), ties by product_id (asc), at most 10. */
  top_products: { product_id: string; name: string; category: string; quantity: number; revenue_cents: number }[];
  states: { state: string; orders: number; revenue_cents: number }[];
  payments: { method: string; attempts: number; success: number; failed: number; processing_us: number }[];
  segments: { segment: string; orders: number; paid_orders: number; revenue_cents: number; unique_customers: number }[];
}

/** The change notice aggregate sends to `kpi.deltas` (JSON value). */
export interface KpiNotice {
  v: 1;
  /** Store version after the apply (views older than this are stale). */
  version: number;
  /** Orders newly applied by this batch (0 for a redelivery). */
  applied: number;
  /** Orders in the batch. */
  received: number;
  /** Newest order_timestamp in the batch (ISO), null when empty. */
  newest: string | null;
  /** When aggregate applied the batch (ISO). */
  at: string;
}
