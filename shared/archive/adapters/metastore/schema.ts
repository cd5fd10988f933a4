/**
 * The metastore interface as data for the codec: the same structs, fields and calls as
 * hive_metastore.thrift beside this file (schema.test.ts checks that they agree).
 * A field is [id, name, type]; types use Thrift's syntax (string, i32, list<FieldSchema>, …).
 */
export type FieldDef = readonly [id: number, name: string, type: string];

export interface StructDef {
  kind: 'struct' | 'exception';
  fields: readonly FieldDef[];
}

export interface MethodDef {
  /** Return type, or 'void'. */
  returns: string;
  args: readonly FieldDef[];
  /** Declared exceptions: [id, name, exception struct]. */
  throws: readonly FieldDef[];
}

const message: readonly FieldDef[] = [[1, 'message', 'string']];

export const STRUCTS = {
  FieldSchema: { kind: 'struct', fields: [[1, 'name', 'string'], [2, 'type', 'string'], [3, 'comment', 'string']] },
  SerDeInfo: { kind: 'struct', fields: [[1, 'name', 'string'], [2, 'serializationLib', 'string'], [3, 'parameters', 'map<string,string>']] },
  Order: { kind: 'struct', fields: [[1, 'col', 'string'], [2, 'order', 'i32']] },
  StorageDescriptor: {
    kind: 'struct',
    fields: [
      [1, 'cols', 'list<FieldSchema>'],
      [2, 'location', 'string'],
      [3, 'inputFormat', 'string'],
      [4, 'outputFormat', 'string'],
      [5, 'compressed', 'bool'],
      [6, 'numBuckets', 'i32'],
      [7, 'serdeInfo', 'SerDeInfo'],
      [8, 'bucketCols', 'list<string>'],
      [9, 'sortCols', 'list<Order>'],
      [10, 'parameters', 'map<string,string>'],
    ],
  },
  Database: {
    kind: 'struct',
    fields: [
      [1, 'name', 'string'],
      [2, 'description', 'string'],
      [3, 'locationUri', 'string'],
      [4, 'parameters', 'map<string,string>'],
      [6, 'ownerName', 'string'],
      [8, 'catalogName', 'string'],
    ],
  },
  Table: {
    kind: 'struct',
    fields: [
      [1, 'tableName', 'string'],
      [2, 'dbName', 'string'],
      [3, 'owner', 'string'],
      [4, 'createTime', 'i32'],
      [5, 'lastAccessTime', 'i32'],
      [6, 'retention', 'i32'],
      [7, 'sd', 'StorageDescriptor'],
      [8, 'partitionKeys', 'list<FieldSchema>'],
      [9, 'parameters', 'map<string,string>'],
      [10, 'viewOriginalText', 'string'],
      [11, 'viewExpandedText', 'string'],
      [12, 'tableType', 'string'],
      [17, 'catName', 'string'],
    ],
  },
  Partition: {
    kind: 'struct',
    fields: [
      [1, 'values', 'list<string>'],
      [2, 'dbName', 'string'],
      [3, 'tableName', 'string'],
      [4, 'createTime', 'i32'],
      [5, 'lastAccessTime', 'i32'],
      [6, 'sd', 'StorageDescriptor'],
      [7, 'parameters', 'map<string,string>'],
      [9, 'catName', 'string'],
    ],
  },
  GetTableRequest: { kind: 'struct', fields: [[1, 'dbName', 'string'], [2, 'tblName', 'string'], [4, 'catName', 'string']] },
  GetTableResult: { kind: 'struct', fields: [[1, 'table', 'Table']] },
  MetaException: { kind: 'exception', fields: message },
  NoSuchObjectException: { kind: 'exception', fields: message },
  AlreadyExistsException: { kind: 'exception', fields: message },
  InvalidObjectException: { kind: 'exception', fields: message },
  InvalidOperationException: { kind: 'exception', fields: message },
} as const satisfies Record<string, StructDef>;

export const METHODS = {
  get_all_databases: { returns: 'list<string>', args: [], throws: [[1, 'o1', 'MetaException']] },
  get_database: { returns: 'Database', args: [[1, 'name', 'string']], throws: [[1, 'o1', 'NoSuchObjectException'], [2, 'o2', 'MetaException']] },
  create_database: {
    returns: 'void',
    args: [[1, 'database', 'Database']],
    throws: [[1, 'o1', 'AlreadyExistsException'], [2, 'o2', 'InvalidObjectException'], [3, 'o3', 'MetaException']],
  },
  drop_database: {
    returns: 'void',
    args: [[1, 'name', 'string'], [2, 'deleteData', 'bool'], [3, 'cascade', 'bool']],
    throws: [[1, 'o1', 'NoSuchObjectException'], [2, 'o2', 'InvalidOperationException'], [3, 'o3', 'MetaException']],
  },
  get_table_req: { returns: 'GetTableResult', args: [[1, 'req', 'GetTableRequest']], throws: [[1, 'o1', 'MetaException'], [2, 'o2', 'NoSuchObjectException']] },
  create_table: {
    returns: 'void',
    args: [[1, 'tbl', 'Table']],
    throws: [[1, 'o1', 'AlreadyExistsException'], [2, 'o2', 'InvalidObjectException'], [3, 'o3', 'MetaException'], [4, 'o4', 'NoSuchObjectException']],
  },
  drop_table: {
    returns: 'void',
    args: [[1, 'dbname', 'string'], [2, 'name', 'string'], [3, 'deleteData', 'bool']],
    throws: [[1, 'o1', 'NoSuchObjectException'], [2, 'o3', 'MetaException']],
  },
  add_partition: {
    returns: 'Partition',
    args: [[1, 'new_part', 'Partition']],
    throws: [[1, 'o1', 'InvalidObjectException'], [2, 'o2', 'AlreadyExistsException'], [3, 'o3', 'MetaException']],
  },
  get_partition: {
    returns: 'Partition',
    args: [[1, 'db_name', 'string'], [2, 'tbl_name', 'string'], [3, 'part_vals', 'list<string>']],
    throws: [[1, 'o1', 'MetaException'], [2, 'o2', 'NoSuchObjectException']],
  },
  get_partitions: {
    returns: 'list<Partition>',
    args: [[1, 'db_name', 'string'], [2, 'tbl_name', 'string'], [3, 'max_parts', 'i16']],
    throws: [[1, 'o1', 'NoSuchObjectException'], [2, 'o2', 'MetaException']],
  },
  drop_partition: {
    returns: 'bool',
    args: [[1, 'db_name', 'string'], [2, 'tbl_name', 'string'], [3, 'part_vals', 'list<string>'], [4, 'deleteData', 'bool']],
    throws: [[1, 'o1', 'NoSuchObjectException'], [2, 'o2', 'MetaException']],
  },
} as const satisfies Record<string, MethodDef>;

export type MethodName = keyof typeof METHODS;
export type StructName = keyof typeof STRUCTS;

/** TApplicationException: what a Thrift server sends for protocol-level failures (unknown method, …). */
export const APPLICATION_EXCEPTION: StructDef = { kind: 'exception', fields: [[1, 'message', 'string'], [2, 'type', 'i32']] };
