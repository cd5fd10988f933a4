import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/errors.ts';
import type { TableDef } from '../../ports.ts';
import { canonicalLocation, fromHmsTable, PARQUET, sameLocation, toHmsTable } from './catalog.ts';
import { parseMetastoreUri } from './client.ts';

const def: TableDef = {
  database: 'orderpulse',
  table: 'orders_fact',
  columns: [
    { name: 'order_id', type: 'string' },
    { name: 'total_amount', type: 'decimal(12,2)' },
  ],
  partitionKeys: [{ name: 'dt', type: 'string' }],
  location: 'hdfs://127.0.0.1:8020/orderpulse/orders_fact',
  format: 'parquet',
};

describe('TableDef <-> metastore Table', () => {
  it('describes an external Parquet table with the columns, partition keys and location', () => {
    const t = toHmsTable(def, Date.UTC(2026, 10, 24));
    expect(t).toMatchObject({ tableName: 'orders_fact', dbName: 'orderpulse', tableType: 'EXTERNAL_TABLE', createTime: Date.UTC(2026, 10, 24) / 1000 });
    expect(t.parameters.EXTERNAL).toBe('TRUE');
    expect(t.sd).toMatchObject({ location: def.location, inputFormat: PARQUET.inputFormat, outputFormat: PARQUET.outputFormat, numBuckets: -1 });
    expect(t.sd.serdeInfo.serializationLib).toBe(PARQUET.serde);
    expect(t.partitionKeys).toEqual([{ name: 'dt', type: 'string' }]);
  });

  it('round-trips through fromHmsTable', () => {
    expect(fromHmsTable(toHmsTable(def))).toEqual(def);
  });
});

describe('sameLocation and canonicalLocation', () => {
  it('treats the metastore form file:/abs as file:///abs and leaves hdfs:// alone', () => {
    expect(canonicalLocation('file:/tmp/a/dt=1')).toBe('file:///tmp/a/dt=1');
    expect(canonicalLocation('file:///tmp/a')).toBe('file:///tmp/a');
    expect(canonicalLocation('hdfs://127.0.0.1:8020/a')).toBe('hdfs://127.0.0.1:8020/a');
    expect(canonicalLocation(undefined)).toBe('');
    expect(sameLocation('file:/tmp/a/', 'file:///tmp/a')).toBe(true);
    expect(fromHmsTable({ ...toHmsTable(def), sd: { ...toHmsTable(def).sd, location: 'file:/x/t' } }).location).toBe('file:///x/t');
  });

  it('ignores a trailing slash only', () => {
    expect(sameLocation('hdfs://h:1/a/b/', 'hdfs://h:1/a/b')).toBe(true);
    expect(sameLocation('hdfs://h:1/a/b', 'hdfs://h:1/a/c')).toBe(false);
    expect(sameLocation(undefined, 'x')).toBe(false);
  });
});

describe('parseMetastoreUri', () => {
  it('reads thrift://host:port, port 9083 by default', () => {
    expect(parseMetastoreUri('thrift://127.0.0.1:9083')).toEqual({ host: '127.0.0.1', port: 9083 });
    expect(parseMetastoreUri('thrift://metastore')).toEqual({ host: 'metastore', port: 9083 });
    expect(parseMetastoreUri('thrift://[::1]:9999')).toEqual({ host: '::1', port: 9999 });
  });

  it('rejects anything else with a ConfigError', () => {
    expect(() => parseMetastoreUri('http://h:1')).toThrow(ConfigError);
    expect(() => parseMetastoreUri('nonsense')).toThrow(/thrift:\/\/host:port/);
  });
});
