/**
 * A typed Hive Metastore client for the calls in hive_metastore.thrift (our subset):
 * databases, tables and partitions. Server exceptions arrive as MetastoreError (see rpc.ts)
 * with `exception` = the Thrift exception name, e.g. NoSuchObjectException.
 */
import { ConfigError } from '../../../platform/errors.ts';
import type { Obj } from './codec.ts';
import { ThriftRpc } from './rpc.ts';
import { METHODS, STRUCTS, type MethodName } from './schema.ts';

export interface HmsFieldSchema {
  name: string;
  type: string;
  comment?: string;
}

export interface HmsSerDeInfo {
  name?: string;
  serializationLib: string;
  parameters: Record<string, string>;
}

export interface HmsStorageDescriptor {
  cols: HmsFieldSchema[];
  location: string;
  inputFormat: string;
  outputFormat: string;
  compressed: boolean;
  numBuckets: number;
  serdeInfo: HmsSerDeInfo;
  bucketCols: string[];
  sortCols: { col: string; order: number }[];
  parameters: Record<string, string>;
}

export interface HmsDatabase {
  name: string;
  description?: string;
  locationUri?: string;
  parameters?: Record<string, string>;
  ownerName?: string;
  catalogName?: string;
}

export interface HmsTable {
  tableName: string;
  dbName: string;
  owner?: string;
  createTime?: number;
  lastAccessTime?: number;
  retention?: number;
  sd: HmsStorageDescriptor;
  partitionKeys: HmsFieldSchema[];
  parameters: Record<string, string>;
  tableType: string;
  catName?: string;
}

export interface HmsPartition {
  values: string[];
  dbName: string;
  tableName: string;
  createTime?: number;
  lastAccessTime?: number;
  sd: HmsStorageDescriptor;
  parameters: Record<string, string>;
  catName?: string;
}

export interface HiveMetastoreClient {
  readonly endpoint: string;
  getAllDatabases(): Promise<string[]>;
  getDatabase(name: string): Promise<HmsDatabase>;
  createDatabase(db: HmsDatabase): Promise<void>;
  dropDatabase(name: string, opts: { deleteData: boolean; cascade: boolean }): Promise<void>;
  getTable(db: string, table: string): Promise<HmsTable>;
  createTable(table: HmsTable): Promise<void>;
  dropTable(db: string, table: string, opts: { deleteData: boolean }): Promise<void>;
  addPartition(p: HmsPartition): Promise<HmsPartition>;
  getPartition(db: string, table: string, values: string[]): Promise<HmsPartition>;
  /** All partitions (max -1 = no limit). */
  getPartitions(db: string, table: string, max?: number): Promise<HmsPartition[]>;
  dropPartition(db: string, table: string, values: string[], opts: { deleteData: boolean }): Promise<boolean>;
  close(): Promise<void>;
}

/** host and port from `thrift://host:port` (port defaults to 9083). */
export function parseMetastoreUri(uri: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(uri);
  } catch (cause) {
    throw new ConfigError(`HIVE_METASTORE_URI=${uri} is not a URL (expected thrift://host:port)`, { cause });
  }
  if (u.protocol !== 'thrift:' || u.hostname === '') throw new ConfigError(`HIVE_METASTORE_URI=${uri} must look like thrift://host:port`);
  const port = u.port === '' ? 9083 : Number(u.port);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port };
}

export function createMetastoreClient(opts: { uri: string; timeoutMs?: number }): HiveMetastoreClient {
  const { host, port } = parseMetastoreUri(opts.uri);
  const rpc = new ThriftRpc(STRUCTS, { host, port, timeoutMs: opts.timeoutMs ?? 60_000 });
  const call = (m: MethodName, args: Obj = {}): Promise<unknown> => rpc.call(m, METHODS[m], args);
  return {
    endpoint: rpc.endpoint,
    getAllDatabases: async () => (await call('get_all_databases')) as string[],
    getDatabase: async (name) => (await call('get_database', { name })) as HmsDatabase,
    createDatabase: async (database) => {
      await call('create_database', { database: database as unknown as Obj });
    },
    dropDatabase: async (name, o) => {
      await call('drop_database', { name, deleteData: o.deleteData, cascade: o.cascade });
    },
    getTable: async (dbName, tblName) => ((await call('get_table_req', { req: { dbName, tblName } })) as { table: HmsTable }).table,
    createTable: async (tbl) => {
      await call('create_table', { tbl: tbl as unknown as Obj });
    },
    dropTable: async (dbname, name, o) => {
      await call('drop_table', { dbname, name, deleteData: o.deleteData });
    },
    addPartition: async (p) => (await call('add_partition', { new_part: p as unknown as Obj })) as HmsPartition,
    getPartition: async (db_name, tbl_name, part_vals) => (await call('get_partition', { db_name, tbl_name, part_vals })) as HmsPartition,
    getPartitions: async (db_name, tbl_name, max = -1) => (await call('get_partitions', { db_name, tbl_name, max_parts: max })) as HmsPartition[],
    dropPartition: async (db_name, tbl_name, part_vals, o) => (await call('drop_partition', { db_name, tbl_name, part_vals, deleteData: o.deleteData })) as boolean,
    close: () => rpc.close(),
  };
}
