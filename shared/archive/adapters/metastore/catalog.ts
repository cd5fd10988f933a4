/**
 * Catalog (shared/archive/ports.ts) on a Hive Metastore: tables are EXTERNAL_TABLEs stored as
 * Parquet (Hive's Parquet serde and input/output formats), partitioned by the TableDef's keys;
 * every operation is idempotent. Used when HIVE_METASTORE_URI is set.
 */
import { DependencyError, InvariantError } from '../../../platform/errors.ts';
import type { Catalog, ColumnDef, PartitionInfo, TableDef } from '../../ports.ts';
import { createMetastoreClient, type HiveMetastoreClient, type HmsStorageDescriptor, type HmsTable } from './client.ts';
import { MetastoreError } from './rpc.ts';

export const PARQUET = {
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
} as const;

const OWNER = 'orderpulse';

export interface HiveCatalog extends Catalog {
  /** Create the database when missing (location: the metastore's default unless given). */
  ensureDatabase(name: string, locationUri?: string): Promise<void>;
  /** The underlying client, for the calls the Catalog port does not cover (tests, tools). */
  readonly client: HiveMetastoreClient;
}

const isException = (err: unknown, name: string): boolean => err instanceof MetastoreError && err.exception === name;

/**
 * A location as callers write it. The metastore stores locations as Hadoop Paths, which turn
 * `file:///abs` into `file:/abs`; we hand back the URL form (`file:///abs`, as pathToFileURL and
 * the local storage write it). hdfs:// locations come back as given.
 */
export function canonicalLocation(loc: string | undefined): string {
  const l = loc ?? '';
  return /^file:\/[^/]/i.test(l) ? `file:///${l.slice('file:/'.length)}` : l;
}

/** Same location: canonical form, trailing slashes ignored. */
export const sameLocation = (a: string | undefined, b: string | undefined): boolean =>
  canonicalLocation(a).replace(/\/+$/, '') === canonicalLocation(b).replace(/\/+$/, '');

const norm = (cols: ColumnDef[]): string => JSON.stringify(cols.map((c) => [c.name.toLowerCase(), c.type.toLowerCase().replace(/\s+/g, '')]));

/** The Thrift Table for a TableDef (exported for tests). */
export function toHmsTable(def: TableDef, now = Date.now()): HmsTable {
  return {
    tableName: def.table,
    dbName: def.database,
    owner: OWNER,
    createTime: Math.floor(now / 1000),
    lastAccessTime: 0,
    retention: 0,
    sd: storageDescriptor(def.columns, def.location),
    partitionKeys: def.partitionKeys.map((c) => ({ name: c.name, type: c.type })),
    parameters: { EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY', comment: 'OrderPulse archive (written by archive-move)' },
    tableType: 'EXTERNAL_TABLE',
  };
}

function storageDescriptor(cols: ColumnDef[], location: string): HmsStorageDescriptor {
  return {
    cols: cols.map((c) => ({ name: c.name, type: c.type })),
    location,
    inputFormat: PARQUET.inputFormat,
    outputFormat: PARQUET.outputFormat,
    compressed: false,
    numBuckets: -1,
    serdeInfo: { name: '', serializationLib: PARQUET.serde, parameters: { 'serialization.format': '1' } },
    bucketCols: [],
    sortCols: [],
    parameters: {},
  };
}

/** The TableDef a metastore Table describes (exported for tests). */
export function fromHmsTable(t: HmsTable): TableDef {
  return {
    database: t.dbName,
    table: t.tableName,
    columns: (t.sd?.cols ?? []).map((c) => ({ name: c.name, type: c.type })),
    partitionKeys: (t.partitionKeys ?? []).map((c) => ({ name: c.name, type: c.type })),
    location: canonicalLocation(t.sd?.location),
    format: 'parquet',
  };
}

export function createHiveCatalog(opts: { uri: string; timeoutMs?: number }): HiveCatalog {
  const client = createMetastoreClient(opts);
  /** Table storage descriptors, for building partitions (a partition repeats its table's format). */
  const tables = new Map<string, HmsTable>();
  const key = (db: string, table: string): string => `${db}.${table}`.toLowerCase();

  async function loadTable(database: string, table: string): Promise<HmsTable | undefined> {
    try {
      const t = await client.getTable(database, table);
      tables.set(key(database, table), t);
      return t;
    } catch (err) {
      if (isException(err, 'NoSuchObjectException')) return undefined;
      throw err;
    }
  }

  async function ensureDatabase(name: string, locationUri?: string): Promise<void> {
    try {
      await client.getDatabase(name);
      return;
    } catch (err) {
      if (!isException(err, 'NoSuchObjectException')) throw err;
    }
    try {
      await client.createDatabase({ name, description: 'OrderPulse archive', ...(locationUri ? { locationUri } : {}), parameters: {}, ownerName: OWNER });
    } catch (err) {
      if (!isException(err, 'AlreadyExistsException')) throw err; // created concurrently: fine
    }
  }

  function checkSame(existing: TableDef, def: TableDef): void {
    const diffs: string[] = [];
    if (norm(existing.columns) !== norm(def.columns)) diffs.push('columns');
    if (norm(existing.partitionKeys) !== norm(def.partitionKeys)) diffs.push('partition keys');
    if (!sameLocation(existing.location, def.location)) diffs.push(`location (${existing.location} vs ${def.location})`);
    if (diffs.length > 0) {
      throw new DependencyError(
        'hive-metastore',
        `table ${def.database}.${def.table} exists with different ${diffs.join(', ')}; migrate it (ALTER TABLE) or drop it (external: the files stay) and rerun`,
        { retriable: false },
      );
    }
  }

  return {
    client,
    describe: () => `hive-metastore ${client.endpoint}`,
    ensureDatabase,

    async ensureTable(def) {
      const found = await loadTable(def.database, def.table);
      if (found) return checkSame(fromHmsTable(found), def);
      await ensureDatabase(def.database);
      try {
        await client.createTable(toHmsTable(def));
      } catch (err) {
        if (!isException(err, 'AlreadyExistsException')) throw err;
      }
      const created = await loadTable(def.database, def.table);
      if (!created) throw new DependencyError('hive-metastore', `create_table ${def.database}.${def.table} succeeded but the table cannot be read back`);
      checkSame(fromHmsTable(created), def);
    },

    async getTable(database, table) {
      const t = await loadTable(database, table);
      return t ? fromHmsTable(t) : undefined;
    },

    async addPartition(database, table, partition: PartitionInfo) {
      const t = tables.get(key(database, table)) ?? (await loadTable(database, table));
      if (!t) throw new DependencyError('hive-metastore', `add_partition: table ${database}.${table} does not exist; call ensureTable first`, { retriable: false });
      try {
        await client.addPartition({
          values: partition.values,
          dbName: t.dbName,
          tableName: t.tableName,
          createTime: Math.floor(Date.now() / 1000),
          lastAccessTime: 0,
          sd: { ...t.sd, location: partition.location },
          parameters: {},
        });
        return;
      } catch (err) {
        if (!isException(err, 'AlreadyExistsException')) throw err;
      }
      const existing = await client.getPartition(t.dbName, t.tableName, partition.values);
      if (!sameLocation(existing.sd?.location, partition.location)) {
        throw new InvariantError(
          `Hive partition ${database}.${table} (${partition.values.join(', ')}) exists at ${existing.sd?.location ?? '?'}, not at ${partition.location}; drop the partition or fix the archive layout`,
        );
      }
    },

    async listPartitions(database, table) {
      let parts;
      try {
        parts = await client.getPartitions(database, table, -1);
      } catch (err) {
        if (isException(err, 'NoSuchObjectException')) return [];
        throw err;
      }
      return parts
        .map((p) => ({ values: p.values ?? [], location: canonicalLocation(p.sd?.location) }))
        .sort((a, b) => (JSON.stringify(a.values) < JSON.stringify(b.values) ? -1 : JSON.stringify(a.values) > JSON.stringify(b.values) ? 1 : 0));
    },

    close: () => client.close(),
  };
}
