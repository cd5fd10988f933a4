/**
 * Reading the archive back (for KPI rebuilds, audits, tests): every row of every data file under
 * `/orders_fact/dt=*`, one file at a time.
 *
 * An order whose batch is between `written` and `deleted` is in the archive AND still in the hot
 * store: consumers combining both must dedupe by order_id (the first occurrence is as good as any:
 * the rows are the same fact). Within the archive an order_id appears at most once.
 */
import type { ArchiveStorage, Catalog } from './ports.ts';
import { TABLE_DIR, batchOfFile, dtOfDir, partitionDir } from './layout.ts';
import { decodeArchiveFile } from './parquet.ts';
import type { ArchiveRow } from './schema.ts';
import { DEFAULT_TARGET, type ArchiveTarget } from './table.ts';

export interface ArchivedOrder extends ArchiveRow {
  /** Partition value (UTC date of order_timestamp). */
  dt: string;
}

export interface ArchiveFileRef {
  dt: string;
  path: string;
  size: number;
  batch_id: string;
}

/**
 * Data files of the archive, by partition. With a catalog, only registered partitions are read
 * (the catalog is the table's truth for query engines); without, every `dt=` directory.
 */
export async function listArchiveFiles(storage: ArchiveStorage, catalog?: Catalog, target: ArchiveTarget = DEFAULT_TARGET): Promise<ArchiveFileRef[]> {
  let dts: string[];
  if (catalog) {
    dts = (await catalog.listPartitions(target.database, target.table)).map((p) => p.values[0]).filter((v): v is string => typeof v === 'string');
  } else {
    dts = (await storage.listDirs(TABLE_DIR)).map(dtOfDir).filter((v): v is string => v !== undefined);
  }
  const out: ArchiveFileRef[] = [];
  for (const dt of [...new Set(dts)].sort()) {
    for (const f of await storage.list(partitionDir(dt))) {
      const batch = batchOfFile(f.path);
      if (batch !== undefined) out.push({ dt, path: f.path, size: f.size, batch_id: batch });
    }
  }
  return out;
}

/** Every archived order (see the module comment about orders of in-flight batches). */
export async function* readArchivedOrders(storage: ArchiveStorage, catalog?: Catalog, target: ArchiveTarget = DEFAULT_TARGET): AsyncGenerator<ArchivedOrder> {
  for (const f of await listArchiveFiles(storage, catalog, target)) {
    const rows = await decodeArchiveFile(await storage.get(f.path), f.path);
    for (const r of rows) yield { ...r, dt: f.dt };
  }
}
