/**
 * The archive file's schema: one row per archived order, the order's fields as the contract
 * declares them (shared/contract/order.ts, in its order) plus the archive's own columns: the
 * unknown fields of the joined dimension rows and the batch (see docs/archive.md "Columns").
 * ARCHIVE_COLUMNS is the one source of the Parquet schema (parquet.ts) and the Hive table (table.ts).
 *
 * Type decisions (readable by Hive, Spark, Trino and DuckDB):
 * - money: DECIMAL(18,2) stored as FIXED_LEN_BYTE_ARRAY(8) (the "legacy" decimal layout every
 *   Parquet reader accepts, Hive 3 included); exact to the cent, no float drift on sums;
 * - timestamps: INT64 TIMESTAMP(MILLIS, adjusted to UTC);
 * - counts: INT64 (quantity), INT32 (hour, dow); processing_ms: DOUBLE (the contract allows any
 *   number ≥ 0);
 * - unknown fields: JSON text in a string column (null when none).
 */
import { MONEY_PRECISION, MONEY_SCALE } from '../contract/money.ts';
import { ORDER_FIELDS, type DimensionName, type LogicalType, type OrderRowFields, type StoredType } from '../contract/order.ts';

/** A column's logical type (the contract's). */
export type ArchiveColumnKind = LogicalType;

export interface ArchiveColumn {
  name: ArchiveColumnName;
  kind: ArchiveColumnKind;
  /** REQUIRED in Parquet (a missing value is an invariant violation) or OPTIONAL (null allowed). */
  required: boolean;
  /** Write min/max statistics (row-group pruning); off for free text and JSON, where they cost time and prune nothing. */
  stats?: false;
}

/** The columns only the archive has, after the order's. */
const ARCHIVE_ONLY = [
  /** Unknown fields of the customer / product / payment dimension rows (joined by id), or null. */
  { name: 'customer_attrs', kind: 'json', required: false, stats: false, attrsOf: 'customer' },
  { name: 'product_attrs', kind: 'json', required: false, stats: false, attrsOf: 'product' },
  { name: 'payment_attrs', kind: 'json', required: false, stats: false, attrsOf: 'payment' },
  /** The archive batch that wrote this row. */
  { name: 'batch_id', kind: 'string', required: true },
] as const satisfies readonly { name: string; kind: LogicalType; required: boolean; stats?: false; attrsOf?: DimensionName }[];

type ArchiveOnly = (typeof ARCHIVE_ONLY)[number];

/** One archived order, as written to and read from the Parquet file (money as numbers with ≤ 2 decimals, like the hot store). */
export type ArchiveRow = OrderRowFields & { [C in ArchiveOnly as C['name']]: C['required'] extends true ? StoredType<C['kind']> : StoredType<C['kind']> | null };

export type ArchiveColumnName = keyof ArchiveRow & string;

/** The `*_attrs` column of each dimension. */
export const ATTRS_COLUMNS = Object.fromEntries(ARCHIVE_ONLY.flatMap((c) => ('attrsOf' in c ? [[c.attrsOf, c.name]] : []))) as Record<DimensionName, Extract<ArchiveOnly, { attrsOf: DimensionName }>['name']>;

export const ARCHIVE_COLUMNS: readonly ArchiveColumn[] = [
  ...ORDER_FIELDS.map((f): ArchiveColumn => ({ name: f.name, kind: f.kind, required: !f.nullable, ...('stats' in f ? { stats: f.stats } : {}) })),
  ...ARCHIVE_ONLY.map((c): ArchiveColumn => ({ name: c.name, kind: c.kind, required: c.required, ...('stats' in c ? { stats: c.stats } : {}) })),
];

/** Hive type of each logical type (partition key `dt` is a string). */
export const HIVE_TYPES: Record<ArchiveColumnKind, string> = {
  string: 'string',
  json: 'string',
  timestamp: 'timestamp',
  money: `decimal(${MONEY_PRECISION},${MONEY_SCALE})`,
  int64: 'bigint',
  int32: 'int',
  double: 'double',
};

/** Bumped when the columns change; written to each file's key-value metadata. */
export const ARCHIVE_SCHEMA_VERSION = '1';
