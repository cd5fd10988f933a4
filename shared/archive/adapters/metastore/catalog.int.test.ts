/**
 * The Hive Metastore Catalog against the real metastore of the local stack (npm run stack -- up
 * --all), with table locations on the real HDFS (the metastore creates those directories there).
 * Each run uses its own database, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../platform/config.ts';
import { DependencyError, InvariantError } from '../../../platform/errors.ts';
import type { TableDef } from '../../ports.ts';
import { createHiveCatalog, PARQUET } from './catalog.ts';
import { createMetastoreClient } from './client.ts';
import { MetastoreError } from './rpc.ts';
import { freePort } from '../../../../dev/testing/free-port.ts';

const config = loadConfig();
const uri = config.hiveMetastoreUri ?? `thrift://127.0.0.1:${config.hivePort}`;
const suffix = randomBytes(4).toString('hex');
const db = `op_int_${suffix}`;
const hdfsRoot = `/orderpulse-int-hms-${suffix}`;
const base = `hdfs://127.0.0.1:${config.hdfsPort}${hdfsRoot}`;
const catalog = createHiveCatalog({ uri });

const def: TableDef = {
  database: db,
  table: 'orders_fact',
  columns: [
    { name: 'order_id', type: 'string' },
    { name: 'order_timestamp', type: 'timestamp' },
    { name: 'quantity', type: 'int' },
    { name: 'total_amount', type: 'decimal(12,2)' },
    { name: 'processing_ms', type: 'bigint' },
    { name: 'paid', type: 'boolean' },
    { name: 'ratio', type: 'double' },
  ],
  partitionKeys: [{ name: 'dt', type: 'string' }],
  location: `${base}/orders_fact`,
  format: 'parquet',
};

afterAll(async () => {
  await catalog.client.dropTable(db, 'orders_fact', { deleteData: false }).catch(() => undefined);
  await catalog.client.dropDatabase(db, { deleteData: false, cascade: true }).catch(() => undefined);
  await catalog.close();
  await fetch(`http://127.0.0.1:${config.webhdfsPort}/webhdfs/v1${hdfsRoot}?op=DELETE&recursive=true&user.name=orderpulse`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
});

describe('Hive Metastore catalog', () => {
  it('answers get_all_databases (the health check) with at least the default database', async () => {
    expect(await catalog.client.getAllDatabases()).toContain('default');
  });

  it('reports a missing table as undefined and no partitions', async () => {
    expect(await catalog.getTable(db, 'orders_fact')).toBeUndefined();
    expect(await catalog.listPartitions(db, 'orders_fact')).toEqual([]);
  });

  it('creates the database and an external Parquet table; a second ensureTable is a no-op', async () => {
    await catalog.ensureTable(def);
    expect(await catalog.client.getAllDatabases()).toContain(db);
    expect(await catalog.getTable(db, 'orders_fact')).toEqual(def);
    await catalog.ensureTable(def);

    const raw = await catalog.client.getTable(db, 'orders_fact');
    expect(raw.tableType).toBe('EXTERNAL_TABLE');
    expect(raw.parameters.EXTERNAL).toBe('TRUE');
    expect(raw.sd.serdeInfo.serializationLib).toBe(PARQUET.serde);
    expect(raw.sd.inputFormat).toBe(PARQUET.inputFormat);
    expect(raw.sd.outputFormat).toBe(PARQUET.outputFormat);
    expect(raw.sd.cols.map((c) => `${c.name} ${c.type}`)).toEqual(def.columns.map((c) => `${c.name} ${c.type}`));
    expect(raw.partitionKeys).toEqual([{ name: 'dt', type: 'string' }]);
    // the metastore made the table directory on HDFS
    const st = await fetch(`http://127.0.0.1:${config.webhdfsPort}/webhdfs/v1${hdfsRoot}/orders_fact?op=GETFILESTATUS&user.name=orderpulse`);
    expect(st.status).toBe(200);
  });

  it('refuses a table that exists with another schema (no silent drift)', async () => {
    const other = { ...def, columns: [...def.columns, { name: 'extra', type: 'string' }] };
    const err = await catalog.ensureTable(other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).retriable).toBe(false);
    expect((err as Error).message).toMatch(/different columns/);
  });

  it('adds partitions idempotently and lists them with their locations, sorted', async () => {
    const p24 = { values: ['2026-11-24'], location: `${def.location}/dt=2026-11-24` };
    const p23 = { values: ['2026-11-23'], location: `${def.location}/dt=2026-11-23` };
    await catalog.addPartition(db, 'orders_fact', p24);
    await catalog.addPartition(db, 'orders_fact', p24);
    await catalog.addPartition(db, 'orders_fact', { ...p24, location: `${p24.location}/` });
    await catalog.addPartition(db, 'orders_fact', p23);
    expect(await catalog.listPartitions(db, 'orders_fact')).toEqual([p23, p24]);

    // a partition repeats the table's storage format (readers use the partition's own descriptor)
    const raw = await catalog.client.getPartition(db, 'orders_fact', ['2026-11-24']);
    expect(raw.sd.serdeInfo.serializationLib).toBe(PARQUET.serde);
    expect(raw.sd.location).toBe(p24.location);
    expect(raw.sd.cols.length).toBe(def.columns.length);
  });

  it('refuses the same partition at another location (the archive and the catalog would disagree)', async () => {
    const err = await catalog.addPartition(db, 'orders_fact', { values: ['2026-11-24'], location: `${def.location}/elsewhere` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvariantError);
    expect((err as Error).message).toContain('dt=2026-11-24');
  });

  it('refuses a partition for a table that does not exist', async () => {
    const err = await catalog.addPartition(db, 'no_such_table', { values: ['2026-11-24'], location: `${base}/x` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/ensureTable/);
  });

  it('drops a partition through the client, then lists one less', async () => {
    expect(await catalog.client.dropPartition(db, 'orders_fact', ['2026-11-23'], { deleteData: false })).toBe(true);
    expect((await catalog.listPartitions(db, 'orders_fact')).map((p) => p.values[0])).toEqual(['2026-11-24']);
    const err = await catalog.client.dropPartition(db, 'orders_fact', ['2026-11-23'], { deleteData: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetastoreError);
    expect((err as MetastoreError).exception).toBe('NoSuchObjectException');
  });

  it('serialises concurrent calls on one connection and keeps the connection after a server exception', async () => {
    const results = await Promise.all([
      catalog.getTable(db, 'orders_fact'),
      catalog.client.getDatabase('no_such_db_' + suffix).catch((e: unknown) => e),
      catalog.listPartitions(db, 'orders_fact'),
      catalog.client.getAllDatabases(),
    ]);
    expect(results[0]).toEqual(def);
    expect((results[1] as MetastoreError).exception).toBe('NoSuchObjectException');
    expect(results[2]).toHaveLength(1);
    expect(results[3]).toContain(db);
  });

  it('fails fast with a retriable DependencyError and a hint when nothing listens', async () => {
    const port = await freePort();
    const dead = createMetastoreClient({ uri: `thrift://127.0.0.1:${port}`, timeoutMs: 5_000 });
    const err = await dead.getAllDatabases().catch((e: unknown) => e);
    await dead.close();
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).retriable).toBe(true);
    expect((err as Error).message).toMatch(/ECONNREFUSED.*npm run stack/);
  });
});
