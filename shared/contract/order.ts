/**
 * THE declaration of an order (docs/order-contract.md). One table, ORDER_FIELDS, names every field of
 * the flat `orders_fact` document in its stored order (and FOLDED_DIMENSIONS the one field per
 * folded dimension after them: `payment_attrs`), with its logical type, its nullability,
 * where its value comes from (a path in the event, the event time, ingest) and which dimension
 * it belongs to. Everything else is derived from it, not restated:
 *   - the event types (OrderEvent, Customer, Product, Payment) and the enums of its fields;
 *   - the fact document ingest writes (FactDoc) and the one the archive reads back (StoredFact);
 *   - the dimension rows' known fields (DIMENSIONS, dimensionFields), and which dimensions are
 *     folded into the fact instead of stored as rows (FOLDED_DIMENSIONS: payments);
 *   - the archive row and its columns (shared/archive/schema.ts), hence the Parquet schema
 *     (parquet.ts) and the Hive columns (table.ts);
 *   - the KPI stage's order (shared/kpi/types.ts KpiOrder, read by shared/kpi/order.ts).
 * Adding or changing a field is one edit here plus its tests.
 */

export const ORDER_STATUSES = ['completed', 'pending', 'cancelled'] as const;
export const SEGMENTS = ['premium', 'regular', 'budget'] as const;
export const PAYMENT_METHODS = ['credit_card', 'debit_card', 'paypal', 'crypto'] as const;
export const PAYMENT_STATUSES = ['success', 'failed'] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type Segment = (typeof SEGMENTS)[number];
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * Logical type of a field, the same for every store (each store maps it once: Parquet in
 * shared/archive/parquet.ts, Hive in shared/archive/schema.ts HIVE_TYPES):
 *   string    UTF-8 text
 *   json      an object, stored as JSON text outside MongoDB
 *   timestamp an instant, millisecond precision, UTC (a Date in documents, ISO-8601 text in the event)
 *   money     an amount with 2 decimals, exact (integer cents in code; DECIMAL(18,2) in storage)
 *   int64     an integer (quantity)
 *   int32     a small integer (hour, day of week)
 *   double    any finite number (processing_ms)
 */
export type LogicalType = 'string' | 'json' | 'timestamp' | 'money' | 'int64' | 'int32' | 'double';

/** The three dimensions of the star schema, the nested objects of the event. */
export type DimensionName = 'customer' | 'product' | 'payment';

/**
 * Where a field's value comes from:
 *   order    the event itself; present in every stored fact
 *   snapshot an attribute of a dimension copied into the fact at event time (KPIs group by it);
 *            facts written before it existed may lack it: the archive fills it from the dimension row
 *   time     derived from order_timestamp (timeAttributes)
 *   ingest   added by ingest (unknown event fields, content hash, ingest time)
 */
export type FieldSource = 'order' | 'snapshot' | 'time' | 'ingest';

export interface OrderFieldSpec {
  /** Name in the fact document and the archive column. */
  name: string;
  kind: LogicalType;
  source: FieldSource;
  /** Path in the event: a top-level key, or [dimension, key] for the nested objects. */
  event?: readonly [string] | readonly [DimensionName, string];
  /** Allowed values (the event's enums). */
  values?: readonly string[];
  /** May be null in the archive (an OPTIONAL Parquet column). */
  nullable: boolean;
  /** Left out of the fact document when empty (the document then has no such key). */
  omitWhenEmpty?: true;
  /** Free text or JSON: no min/max statistics in the archive (they cost time and prune nothing). */
  stats?: false;
}

export const ORDER_FIELDS = [
  { name: 'order_id', kind: 'string', source: 'order', event: ['order_id'], nullable: false },
  { name: 'order_timestamp', kind: 'timestamp', source: 'order', event: ['order_timestamp'], nullable: false },
  { name: 'quantity', kind: 'int64', source: 'order', event: ['quantity'], nullable: false },
  { name: 'unit_price', kind: 'money', source: 'order', event: ['unit_price'], nullable: false },
  { name: 'shipping_cost', kind: 'money', source: 'order', event: ['shipping_cost'], nullable: false },
  { name: 'tax_amount', kind: 'money', source: 'order', event: ['tax_amount'], nullable: false },
  { name: 'total_amount', kind: 'money', source: 'order', event: ['total_amount'], nullable: false },
  { name: 'order_status', kind: 'string', source: 'order', event: ['order_status'], values: ORDER_STATUSES, nullable: false },
  { name: 'customer_id', kind: 'string', source: 'order', event: ['customer', 'customer_id'], nullable: false },
  { name: 'product_id', kind: 'string', source: 'order', event: ['product', 'product_id'], nullable: false },
  { name: 'payment_id', kind: 'string', source: 'order', event: ['payment', 'payment_id'], nullable: false },
  { name: 'segment', kind: 'string', source: 'snapshot', event: ['customer', 'segment'], values: SEGMENTS, nullable: true },
  { name: 'state', kind: 'string', source: 'snapshot', event: ['customer', 'state'], nullable: true },
  { name: 'city', kind: 'string', source: 'snapshot', event: ['customer', 'city'], nullable: true, stats: false },
  { name: 'payment_method', kind: 'string', source: 'snapshot', event: ['payment', 'method'], values: PAYMENT_METHODS, nullable: true },
  { name: 'payment_status', kind: 'string', source: 'snapshot', event: ['payment', 'status'], values: PAYMENT_STATUSES, nullable: true },
  { name: 'processing_ms', kind: 'double', source: 'snapshot', event: ['payment', 'processing_ms'], nullable: true },
  { name: 'product_name', kind: 'string', source: 'snapshot', event: ['product', 'name'], nullable: true, stats: false },
  { name: 'product_category', kind: 'string', source: 'snapshot', event: ['product', 'category'], nullable: true },
  { name: 'date_key', kind: 'string', source: 'time', nullable: false },
  { name: 'minute_key', kind: 'string', source: 'time', nullable: true, stats: false },
  { name: 'hour', kind: 'int32', source: 'time', nullable: true },
  { name: 'dow', kind: 'int32', source: 'time', nullable: true },
  { name: 'extra', kind: 'json', source: 'ingest', nullable: true, omitWhenEmpty: true, stats: false },
  { name: 'content_hash', kind: 'string', source: 'ingest', nullable: true, stats: false },
  { name: 'ingested_at', kind: 'timestamp', source: 'ingest', nullable: true },
] as const satisfies readonly OrderFieldSpec[];

export type OrderField = (typeof ORDER_FIELDS)[number];
export type OrderFieldName = OrderField['name'];

/**
 * The dimensions: the fact field holding the natural key (the row's `_id`), the key of the
 * DimensionRows/DimRows maps, and whether the row also records the order it came from.
 */
export const DIMENSIONS = {
  customer: { key: 'customer_id', rows: 'customers', orderRef: false },
  product: { key: 'product_id', rows: 'products', orderRef: false },
  /** Folded into the fact (FOLDED_DIMENSIONS): `payments` rows are legacy, read only for facts written before the fold. */
  payment: { key: 'payment_id', rows: 'payments', orderRef: true },
} as const satisfies Record<DimensionName, { key: OrderFieldName; rows: string; orderRef: boolean }>;

export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as DimensionName[];

/**
 * Degenerate dimensions, folded into the fact: 1:1 with the order (payments), so ingest writes no
 * dimension row for them. Their contract fields are on the fact already (the `snapshot` fields);
 * the unknown fields of their nested object go to this fact field, written on every fact since the
 * fold (null when there are none) and stored after the table's fields, before `extra`. The archive
 * writes it to its column of the same name (shared/archive/schema.ts ATTRS_COLUMNS), so the
 * archive's columns do not change. A fact WITHOUT the field was written before the fold: its
 * unknown fields are in the legacy dimension row (`payments_dim`), which archive-move reads for it.
 */
export const FOLDED_DIMENSIONS = { payment: 'payment_attrs' } as const satisfies Partial<Record<DimensionName, string>>;
export type FoldedDimension = keyof typeof FOLDED_DIMENSIONS;
/** The dimensions that still have rows in the hot store (customer, product). */
export type RowDimension = Exclude<DimensionName, FoldedDimension>;

/** The folded dimensions' fields of a fact: the nested object's unknown fields, or null. */
export type FoldedAttrs = { [D in FoldedDimension as (typeof FOLDED_DIMENSIONS)[D]]: Record<string, unknown> | null };

/** Whether a stored fact carries this folded dimension itself (false: written before the fold; its row is in the legacy collection). */
export function hasFolded(fact: object, dim: FoldedDimension): boolean {
  return (fact as Record<string, unknown>)[FOLDED_DIMENSIONS[dim]] !== undefined;
}

/** The event's keys of a dimension's nested object, in order (the natural key first). */
export function dimensionFields(dim: DimensionName): string[] {
  const out: string[] = [];
  for (const f of ORDER_FIELDS as readonly OrderFieldSpec[]) if (f.event?.length === 2 && f.event[0] === dim) out.push(f.event[1]);
  return out;
}

/** Top-level keys of the event the contract knows (its other keys are the fact's `extra`). */
export const EVENT_TOP_KEYS: readonly string[] = [
  ...(ORDER_FIELDS as readonly OrderFieldSpec[]).filter((f) => f.event?.length === 1).map((f) => f.event![0]),
  ...DIMENSION_NAMES,
];

/** A field's value in an event (undefined when absent or when the nested object is not one). */
export function eventValue(ev: Record<string, unknown>, path: readonly string[]): unknown {
  const top = ev[path[0]!];
  if (path.length === 1) return top;
  return typeof top === 'object' && top !== null ? (top as Record<string, unknown>)[path[1]!] : undefined;
}

// ---- time attributes ------------------------------------------------------------------------

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The fields of source `time`. */
export type TimeAttributes = { [F in Extract<OrderField, { source: 'time' }> as F['name']]: StoredType<F['kind']> };

/**
 * The `time` fields of an event time. `iso` is its ISO-8601 UTC text (`YYYY-MM-DDTHH:MM…`, Z or
 * +00:00): its first 16 characters already are the minute.
 */
export function timeAttributes(ms: number, iso: string): TimeAttributes {
  const day = Math.floor(ms / DAY_MS);
  return {
    date_key: iso.slice(0, 10),
    minute_key: iso.slice(0, 16),
    hour: Math.floor((ms - day * DAY_MS) / HOUR_MS),
    dow: (((day + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
  };
}

// ---- types derived from the table -----------------------------------------------------------

/** TypeScript type of a logical type in a document or an archive row. */
export type StoredType<K extends LogicalType> = K extends 'string'
  ? string
  : K extends 'json'
    ? Record<string, unknown>
    : K extends 'timestamp'
      ? Date
      : number;

type EventLeaf<F> = F extends { values: readonly (infer V)[] } ? V : F extends { kind: 'string' | 'timestamp' } ? string : number;
type EventTop = { [F in OrderField as F extends { event: readonly [infer K extends string] } ? K : never]: EventLeaf<F> };
type EventNested<D extends DimensionName> = { [F in OrderField as F extends { event: readonly [D, infer K extends string] } ? K : never]: EventLeaf<F> };

/** The event's nested objects: the contract's fields, and any unknown ones (kept). */
export interface Customer extends EventNested<'customer'> {
  [extra: string]: unknown;
}
export interface Product extends EventNested<'product'> {
  [extra: string]: unknown;
}
export interface Payment extends EventNested<'payment'> {
  [extra: string]: unknown;
}
/** The order event (topic `orders`, key = order_id, value = UTF-8 JSON). Unknown extra fields are allowed and kept. */
export interface OrderEvent extends EventTop {
  customer: Customer;
  product: Product;
  payment: Payment;
  [extra: string]: unknown;
}

/** One `orders_fact` document as ingest writes it (`_id` is added by the driver). */
export type FactDoc = { [F in Exclude<OrderField, { omitWhenEmpty: true }> as F['name']]: StoredType<F['kind']> } & FoldedAttrs & {
  [F in Extract<OrderField, { omitWhenEmpty: true }> as F['name']]?: StoredType<F['kind']>;
};

/**
 * An `orders_fact` document as read back: facts written by older versions may lack every field
 * not of the `order` source, and the folded dimensions' fields (hasFolded).
 */
export type StoredFact = { [F in Extract<OrderField, { source: 'order' }> as F['name']]: StoredType<F['kind']> } & {
  [F in Exclude<OrderField, { source: 'order' }> as F['name']]?: StoredType<F['kind']>;
} & Partial<FoldedAttrs>;

/** The order's fields as an archive row has them (null where the field is nullable). */
export type OrderRowFields = { [F in OrderField as F['name']]: F extends { nullable: true } ? StoredType<F['kind']> | null : StoredType<F['kind']> };
