/** The Hive/catalog definition of the archive table (columns from schema.ts, partitioned by dt). */
import type { ArchiveStorage, TableDef } from './ports.ts';
import { ARCHIVE_COLUMNS, HIVE_TYPES } from './schema.ts';
import { PARTITION_KEY, TABLE_DIR, partitionDir } from './layout.ts';

export interface ArchiveTarget {
  database: string;
  table: string;
}

export const DEFAULT_TARGET: ArchiveTarget = { database: 'orderpulse', table: 'orders_fact' };

export function ordersTableDef(storage: ArchiveStorage, target: ArchiveTarget = DEFAULT_TARGET): TableDef {
  return {
    database: target.database,
    table: target.table,
    columns: ARCHIVE_COLUMNS.map((c) => ({ name: c.name, type: HIVE_TYPES[c.kind] })),
    partitionKeys: [{ name: PARTITION_KEY, type: 'string' }],
    location: storage.locationOf(TABLE_DIR),
    format: 'parquet',
  };
}

export function partitionLocation(storage: ArchiveStorage, dt: string): string {
  return storage.locationOf(partitionDir(dt));
}
