/**
 * The Hive Metastore client that Thrift generates from hive_metastore.thrift (beside this file):
 * `node scripts/generate-thrift.mjs` (run by scripts/bootstrap.mjs) writes it, CommonJS, into the
 * git-ignored .local/gen/hive-metastore/. Loaded on first use, so importing the catalog costs
 * nothing where the metastore is not used.
 *
 * The generated code ships no types we can use (its optional .d.ts needs @types/thrift and
 * declares absent fields as present), so the few members we touch are typed here, in the
 * shapes of client.ts. Their agreement with the IDL is what rpc.test.ts checks at run time.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TBinaryProtocol, TBufferedTransport } from 'thrift';
import { ConfigError } from '../../../platform/errors.ts';
import type { HmsDatabase, HmsPartition, HmsTable } from './types.ts';

/** Where scripts/generate-thrift.mjs writes the client (keep the two in step). */
export const GENERATED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../.local/gen/hive-metastore');

/** The service's calls as the generated Client declares them (argument order = IDL field ids). */
export interface GeneratedClient {
  /** Current sequence id: the one the last call was sent with. */
  seqid(): number;
  /** Pending calls by seqid; recv_<method> takes the callback out and calls it. */
  _reqs: Record<number, ((err: unknown, result?: unknown) => void) | undefined>;
  get_all_databases(): Promise<string[]>;
  get_database(name: string): Promise<HmsDatabase>;
  create_database(database: HmsDatabase): Promise<void>;
  drop_database(name: string, deleteData: boolean, cascade: boolean): Promise<void>;
  get_table_req(req: { dbName: string; tblName: string; catName?: string }): Promise<{ table: HmsTable }>;
  create_table(tbl: HmsTable): Promise<void>;
  drop_table(dbname: string, name: string, deleteData: boolean): Promise<void>;
  add_partition(new_part: HmsPartition): Promise<HmsPartition>;
  get_partition(db_name: string, tbl_name: string, part_vals: string[]): Promise<HmsPartition>;
  get_partitions(db_name: string, tbl_name: string, max_parts: number): Promise<HmsPartition[]>;
  drop_partition(db_name: string, tbl_name: string, part_vals: string[], deleteData: boolean): Promise<boolean>;
}

/** The calls above: what hive_metastore.thrift must declare (idl.test.ts). */
export const CALLS = [
  'get_all_databases',
  'get_database',
  'create_database',
  'drop_database',
  'get_table_req',
  'create_table',
  'drop_table',
  'add_partition',
  'get_partition',
  'get_partitions',
  'drop_partition',
] as const satisfies readonly (keyof GeneratedClient)[];
export type CallName = (typeof CALLS)[number];

/** A generated struct or exception class: built from a plain object, reads and writes itself. */
export interface GeneratedStruct<T> {
  new (args?: Partial<T>): T & { read(p: TBinaryProtocol): void; write(p: TBinaryProtocol): void };
}

export interface Generated {
  Client: new (output: TBufferedTransport, protocol: typeof TBinaryProtocol) => GeneratedClient;
  /** Server side of the same interface; the tests use it to answer calls in memory. */
  Processor: new (handler: object) => { process(input: TBinaryProtocol, output: TBinaryProtocol): void };
  /** The structs and exceptions of hive_metastore_types.js that we (and the tests) construct. */
  types: {
    Database: GeneratedStruct<HmsDatabase>;
    Table: GeneratedStruct<HmsTable>;
    Partition: GeneratedStruct<HmsPartition>;
    GetTableResult: GeneratedStruct<{ table: HmsTable }>;
    MetaException: GeneratedStruct<Error>;
    NoSuchObjectException: GeneratedStruct<Error>;
    AlreadyExistsException: GeneratedStruct<Error>;
    InvalidObjectException: GeneratedStruct<Error>;
    InvalidOperationException: GeneratedStruct<Error>;
  };
}

let loaded: Generated | undefined;

/** The generated client; a ConfigError saying how to generate it when it is not there. */
export function loadGenerated(dir = GENERATED_DIR): Generated {
  if (loaded && dir === GENERATED_DIR) return loaded;
  const service = path.join(dir, 'ThriftHiveMetastore.js');
  if (!existsSync(service)) {
    throw new ConfigError(
      `the Hive Metastore client is not generated (${service} is missing): run node scripts/generate-thrift.mjs (npm run bootstrap does; it installs Debian's thrift-compiler if needed)`,
    );
  }
  const require = createRequire(service);
  const svc = require(service) as Pick<Generated, 'Client' | 'Processor'>;
  const gen: Generated = { Client: svc.Client, Processor: svc.Processor, types: require(path.join(dir, 'hive_metastore_types.js')) as Generated['types'] };
  if (dir === GENERATED_DIR) loaded = gen;
  return gen;
}
