/**
 * The columns the batch analytics read, derived from the order contract (shared/contract/order.ts):
 * each engine exposes two relations with exactly these columns, `hot_orders` (MongoDB orders_fact)
 * and `archived_orders` (the Parquet archive / Hive table orders_fact), and the SQL in queries.ts
 * does the rest. Column types per engine come from the contract's logical types, mapped once here.
 */
import { ORDER_FIELDS, type LogicalType } from '../contract/order.ts';

/** What the analytics need of an order; `date_key` is the UTC day of order_timestamp (YYYY-MM-DD). */
export const ANALYTICS_FIELD_NAMES = [
  'order_id',
  'date_key',
  'quantity',
  'total_amount',
  'order_status',
  'customer_id',
  'state',
  'product_category',
  'payment_method',
  'payment_status',
] as const;

export type AnalyticsFieldName = (typeof ANALYTICS_FIELD_NAMES)[number];

export interface AnalyticsColumn {
  name: AnalyticsFieldName;
  kind: LogicalType;
}

export const ANALYTICS_COLUMNS: readonly AnalyticsColumn[] = ANALYTICS_FIELD_NAMES.map((name) => {
  const f = ORDER_FIELDS.find((x) => x.name === name);
  if (!f) throw new Error(`analytics column ${name} is not a field of the order contract`);
  return { name, kind: f.kind };
});

/** DuckDB column types of the contract's logical types (money exact: DECIMAL(18,2)). */
export const DUCKDB_TYPES: Record<LogicalType, string> = {
  string: 'VARCHAR',
  json: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  money: 'DECIMAL(18,2)',
  int64: 'BIGINT',
  int32: 'INTEGER',
  double: 'DOUBLE',
};

/** Spark SQL column types of the contract's logical types (a StructType's DDL form). */
export const SPARK_TYPES: Record<LogicalType, string> = {
  string: 'STRING',
  json: 'STRING',
  timestamp: 'TIMESTAMP',
  money: 'DECIMAL(18,2)',
  int64: 'BIGINT',
  int32: 'INT',
  double: 'DOUBLE',
};

/** `name TYPE, …` for an engine's type map: a DuckDB CREATE TABLE body or a Spark DDL schema string. */
export function columnsDdl(types: Record<LogicalType, string>): string {
  return ANALYTICS_COLUMNS.map((c) => `${c.name} ${types[c.kind]}`).join(', ');
}
