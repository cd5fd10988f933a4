/**
 * The Hive/catalog definition of the archive table: the columns of schema.ts (derived from the
 * order contract) with their Hive types, partitioned by dt.
 */
import type { ArchiveStorage, ColumnDef, TableDef } from './ports.ts';
import { ARCHIVE_COLUMNS, HIVE_TYPES } from './schema.ts';
import { PARTITION_KEY, TABLE_DIR, partitionDir } from './layout.ts';

export { ARCHIVE_COLUMNS, HIVE_TYPES } from './schema.ts';

/** The table's data columns with their Hive types, in file order (the partition key `dt` is not one of them). */
export const HIVE_COLUMNS: readonly ColumnDef[] = ARCHIVE_COLUMNS.map((c) => ({ name: c.name, type: HIVE_TYPES[c.kind] }));

export interface ArchiveTarget {
  database: string;
  table: string;
}

export const DEFAULT_TARGET: ArchiveTarget = { database: 'orderpulse', table: 'orders_fact' };

export function ordersTableDef(storage: ArchiveStorage, target: ArchiveTarget = DEFAULT_TARGET): TableDef {
  return {
    database: target.database,
    table: target.table,
    columns: HIVE_COLUMNS.map((c) => ({ ...c })),
    partitionKeys: [{ name: PARTITION_KEY, type: 'string' }],
    location: storage.locationOf(TABLE_DIR),
    format: 'parquet',
  };
}

export function partitionLocation(storage: ArchiveStorage, dt: string): string {
  return storage.locationOf(partitionDir(dt));
}
