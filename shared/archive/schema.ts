/**
 * The archive file's schema: one row per archived order, the fact columns of orders_fact plus
 * the denormalised dimension attributes (see docs/archive.md "Columns"). This list is the one
 * source for the Parquet schema (parquet.ts) and the Hive table definition (table.ts).
 *
 * Type decisions (readable by Hive, Spark, Trino and DuckDB):
 * - money: DECIMAL(18,2) stored as FIXED_LEN_BYTE_ARRAY(8) (the "legacy" decimal layout every
 *   Parquet reader accepts, Hive 3 included); exact to the cent, no float drift on sums;
 * - timestamps: INT64 TIMESTAMP(MILLIS, adjusted to UTC);
 * - counts: INT64 (quantity), INT32 (hour, dow); processing_ms: DOUBLE (the contract allows any
 *   number ≥ 0);
 * - unknown fields: JSON text in a string column (null when none).
 */

export type ArchiveColumnKind = 'string' | 'json' | 'timestamp' | 'money' | 'int64' | 'int32' | 'double';

export interface ArchiveColumn {
  name: string;
  kind: ArchiveColumnKind;
  /** REQUIRED in Parquet (a missing value is an invariant violation) or OPTIONAL (null allowed). */
  required: boolean;
  /** Write min/max statistics (row-group pruning); off for free text and JSON, where they cost time and prune nothing. */
  stats?: false;
}

export const MONEY_PRECISION = 18;
export const MONEY_SCALE = 2;
/** Bytes of a two's-complement integer holding 10^18 - 1. */
export const MONEY_BYTES = 8;

export const ARCHIVE_COLUMNS = [
  { name: 'order_id', kind: 'string', required: true },
  { name: 'order_timestamp', kind: 'timestamp', required: true },
  { name: 'quantity', kind: 'int64', required: true },
  { name: 'unit_price', kind: 'money', required: true },
  { name: 'shipping_cost', kind: 'money', required: true },
  { name: 'tax_amount', kind: 'money', required: true },
  { name: 'total_amount', kind: 'money', required: true },
  { name: 'order_status', kind: 'string', required: true },
  { name: 'customer_id', kind: 'string', required: true },
  { name: 'product_id', kind: 'string', required: true },
  { name: 'payment_id', kind: 'string', required: true },
  { name: 'segment', kind: 'string', required: false },
  { name: 'state', kind: 'string', required: false },
  { name: 'city', kind: 'string', required: false, stats: false },
  { name: 'payment_method', kind: 'string', required: false },
  { name: 'payment_status', kind: 'string', required: false },
  { name: 'processing_ms', kind: 'double', required: false },
  { name: 'product_name', kind: 'string', required: false, stats: false },
  { name: 'product_category', kind: 'string', required: false },
  { name: 'date_key', kind: 'string', required: true },
  { name: 'minute_key', kind: 'string', required: false, stats: false },
  { name: 'hour', kind: 'int32', required: false },
  { name: 'dow', kind: 'int32', required: false },
  { name: 'extra', kind: 'json', required: false, stats: false },
  { name: 'content_hash', kind: 'string', required: false, stats: false },
  { name: 'ingested_at', kind: 'timestamp', required: false },
  { name: 'customer_attrs', kind: 'json', required: false, stats: false },
  { name: 'product_attrs', kind: 'json', required: false, stats: false },
  { name: 'payment_attrs', kind: 'json', required: false, stats: false },
  { name: 'batch_id', kind: 'string', required: true },
] as const satisfies readonly ArchiveColumn[];

/** Hive type of each column kind (partition key `dt` is a string). */
export const HIVE_TYPES: Record<ArchiveColumnKind, string> = {
  string: 'string',
  json: 'string',
  timestamp: 'timestamp',
  money: `decimal(${MONEY_PRECISION},${MONEY_SCALE})`,
  int64: 'bigint',
  int32: 'int',
  double: 'double',
};

/** One archived order, as written to and read from the Parquet file (money as numbers with ≤ 2 decimals, like the hot store). */
export interface ArchiveRow {
  order_id: string;
  order_timestamp: Date;
  quantity: number;
  unit_price: number;
  shipping_cost: number;
  tax_amount: number;
  total_amount: number;
  order_status: string;
  customer_id: string;
  product_id: string;
  payment_id: string;
  segment: string | null;
  state: string | null;
  city: string | null;
  payment_method: string | null;
  payment_status: string | null;
  processing_ms: number | null;
  product_name: string | null;
  product_category: string | null;
  date_key: string;
  minute_key: string | null;
  hour: number | null;
  dow: number | null;
  /** Unknown top-level fields of the event (the fact's `extra`), or null. */
  extra: Record<string, unknown> | null;
  content_hash: string | null;
  ingested_at: Date | null;
  /** Unknown fields of the customer / product / payment dimension rows (joined by id), or null. */
  customer_attrs: Record<string, unknown> | null;
  product_attrs: Record<string, unknown> | null;
  payment_attrs: Record<string, unknown> | null;
  /** The archive batch that wrote this row. */
  batch_id: string;
}

export type ArchiveColumnName = (typeof ARCHIVE_COLUMNS)[number]['name'];

// Compile-time check: the column list and the row type name the same fields.
type _SameFields = [ArchiveColumnName] extends [keyof ArchiveRow] ? ([keyof ArchiveRow] extends [ArchiveColumnName] ? true : never) : never;
export const SCHEMA_FIELDS_MATCH: _SameFields = true;

/** Bumped when the columns change; written to each file's key-value metadata. */
export const ARCHIVE_SCHEMA_VERSION = '1';
