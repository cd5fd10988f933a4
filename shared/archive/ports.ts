/**
 * The I/O ports of the cold path. archive-move's core logic depends only on these;
 * adapters: local directory + local catalog file (embedded default, ARCHIVE_URL=file://…,
 * HIVE_METASTORE_URI unset) and WebHDFS + Hive Metastore Thrift.
 */

/** A file system for archive files. Paths are absolute within the archive root, '/'-separated, e.g. `/orders_fact/dt=2026-11-24/part-….parquet`. */
export interface ArchiveStorage {
  /** Human-readable location of the root, e.g. `file:///abs/dir` or `webhdfs://127.0.0.1:9870/orderpulse`. */
  describe(): string;
  /** The location string a catalog should record for a directory (e.g. `hdfs://127.0.0.1:8020/orderpulse/orders_fact/dt=…` or `file:///abs/…`). */
  locationOf(path: string): string;
  /** Write the whole file; replaces an existing file at that path. Must not leave a partial file visible under `path` (write a temporary name, then rename). */
  put(path: string, bytes: Uint8Array): Promise<void>;
  get(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /** Files (not directories) directly inside `dir`; empty when `dir` does not exist. */
  list(dir: string): Promise<{ path: string; size: number }[]>;
  /** Sub-directories directly inside `dir`; empty when `dir` does not exist. */
  listDirs(dir: string): Promise<string[]>;
  delete(path: string): Promise<void>;
  mkdirs(dir: string): Promise<void>;
}

export interface ColumnDef {
  name: string;
  /** Hive type name: string, bigint, int, double, decimal(12,2), timestamp, boolean. */
  type: string;
}

export interface TableDef {
  database: string;
  table: string;
  columns: ColumnDef[];
  partitionKeys: ColumnDef[];
  /** Table root location (see ArchiveStorage.locationOf). */
  location: string;
  /** e.g. Parquet input/output formats and serde; adapters fill sensible defaults. */
  format: 'parquet';
}

export interface PartitionInfo {
  values: string[];
  location: string;
}

/** A table catalog: Hive Metastore, or the local catalog file. All operations idempotent. */
export interface Catalog {
  describe(): string;
  ensureTable(def: TableDef): Promise<void>;
  getTable(database: string, table: string): Promise<TableDef | undefined>;
  /** Adds the partition; succeeds when it already exists with the same location. */
  addPartition(database: string, table: string, partition: PartitionInfo): Promise<void>;
  listPartitions(database: string, table: string): Promise<PartitionInfo[]>;
  close(): Promise<void>;
}
