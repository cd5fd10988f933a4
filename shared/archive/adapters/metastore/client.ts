/**
 * A typed Hive Metastore client for the calls in hive_metastore.thrift (our subset):
 * databases, tables and partitions, on the client Thrift generates from that file (generated.ts,
 * rpc.ts). Server exceptions arrive as MetastoreError (see rpc.ts) with `exception` = the Thrift
 * exception name, e.g. NoSuchObjectException. Results are plain objects (types.ts).
 */
import { ConfigError } from '../../../platform/errors.ts';
import { loadGenerated, type GeneratedClient, type CallName } from './generated.ts';
import { ThriftRpc } from './rpc.ts';
import type { HmsDatabase, HmsPartition, HmsTable } from './types.ts';

export type { HmsDatabase, HmsFieldSchema, HmsPartition, HmsSerDeInfo, HmsStorageDescriptor, HmsTable } from './types.ts';

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

/**
 * A decoded value as a plain object: the generated classes set every absent field to null;
 * we leave such fields out, as the types say.
 */
export function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plain) as T;
  if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = plain(x);
  return out as T;
}

export function createMetastoreClient(opts: { uri: string; timeoutMs?: number }): HiveMetastoreClient {
  const { host, port } = parseMetastoreUri(opts.uri);
  const rpc = new ThriftRpc(loadGenerated(), { host, port, timeoutMs: opts.timeoutMs ?? 60_000 });
  const call = async <T>(m: CallName, invoke: (c: GeneratedClient) => Promise<T>): Promise<T> => plain(await rpc.call(m, invoke));
  return {
    endpoint: rpc.endpoint,
    getAllDatabases: () => call('get_all_databases', (c) => c.get_all_databases()),
    getDatabase: (name) => call('get_database', (c) => c.get_database(name)),
    createDatabase: (database) => call('create_database', (c) => c.create_database(database)),
    dropDatabase: (name, o) => call('drop_database', (c) => c.drop_database(name, o.deleteData, o.cascade)),
    getTable: async (dbName, tblName) => (await call('get_table_req', (c) => c.get_table_req({ dbName, tblName }))).table,
    createTable: (tbl) => call('create_table', (c) => c.create_table(tbl)),
    dropTable: (dbname, name, o) => call('drop_table', (c) => c.drop_table(dbname, name, o.deleteData)),
    addPartition: (p) => call('add_partition', (c) => c.add_partition(p)),
    getPartition: (db, tbl, values) => call('get_partition', (c) => c.get_partition(db, tbl, values)),
    getPartitions: (db, tbl, max = -1) => call('get_partitions', (c) => c.get_partitions(db, tbl, max)),
    dropPartition: (db, tbl, values, o) => call('drop_partition', (c) => c.drop_partition(db, tbl, values, o.deleteData)),
    close: () => rpc.close(),
  };
}
