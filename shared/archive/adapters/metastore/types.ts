/**
 * The metastore's structs as the client hands them out: plain objects with the fields of
 * hive_metastore.thrift that we use (absent fields are left out, never null).
 */
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
