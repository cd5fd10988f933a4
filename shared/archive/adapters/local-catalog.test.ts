import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCatalog } from './local-catalog.ts';
import type { TableDef } from '../ports.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-local-catalog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const def: TableDef = {
  database: 'orderpulse',
  table: 'orders_fact',
  columns: [{ name: 'order_id', type: 'string' }],
  partitionKeys: [{ name: 'dt', type: 'string' }],
  location: 'file:///a/orders_fact',
  format: 'parquet',
};

describe('LocalCatalog', () => {
  it('creates tables and partitions idempotently, persisted in one JSON file', async () => {
    const file = path.join(dir, '_catalog.json');
    const c = new LocalCatalog(file);
    expect(await c.getTable('orderpulse', 'orders_fact')).toBeUndefined();
    expect(await c.listPartitions('orderpulse', 'orders_fact')).toEqual([]);
    await c.ensureTable(def);
    await c.ensureTable(def);
    await c.addPartition('orderpulse', 'orders_fact', { values: ['2026-01-02'], location: 'file:///a/orders_fact/dt=2026-01-02' });
    await c.addPartition('orderpulse', 'orders_fact', { values: ['2026-01-01'], location: 'file:///a/orders_fact/dt=2026-01-01' });
    await c.addPartition('orderpulse', 'orders_fact', { values: ['2026-01-01'], location: 'file:///a/orders_fact/dt=2026-01-01' });
    const again = new LocalCatalog(file); // another process reading the file
    expect(await again.getTable('orderpulse', 'orders_fact')).toEqual(def);
    expect((await again.listPartitions('orderpulse', 'orders_fact')).map((p) => p.values[0])).toEqual(['2026-01-01', '2026-01-02']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await c.close();
  });

  it('serialises concurrent changes without losing any', async () => {
    const c = new LocalCatalog(path.join(dir, 'c.json'));
    await c.ensureTable(def);
    const dts = Array.from({ length: 30 }, (_, i) => `2026-02-${String(i + 1).padStart(2, '0')}`).filter((d) => d <= '2026-02-28');
    await Promise.all(dts.map((dt) => c.addPartition('orderpulse', 'orders_fact', { values: [dt], location: `file:///a/orders_fact/dt=${dt}` })));
    expect((await c.listPartitions('orderpulse', 'orders_fact')).length).toBe(dts.length);
  });

  it('refuses conflicting definitions and a corrupt file', async () => {
    const file = path.join(dir, 'c.json');
    const c = new LocalCatalog(file);
    await expect(c.addPartition('orderpulse', 'orders_fact', { values: ['2026-01-01'], location: 'x' })).rejects.toThrow(/ensureTable first/);
    await c.ensureTable(def);
    await expect(c.ensureTable({ ...def, location: 'file:///elsewhere' })).rejects.toThrow(/exists at/);
    await c.addPartition('orderpulse', 'orders_fact', { values: ['2026-01-01'], location: 'file:///a/orders_fact/dt=2026-01-01' });
    await expect(c.addPartition('orderpulse', 'orders_fact', { values: ['2026-01-01'], location: 'file:///b' })).rejects.toThrow(/exists at/);
    await expect(c.addPartition('orderpulse', 'orders_fact', { values: ['a', 'b'], location: 'file:///b' })).rejects.toThrow(/partition values/);
    await writeFile(file, '{ not json');
    await expect(c.listPartitions('orderpulse', 'orders_fact')).rejects.toThrow(/corrupt/);
  });
});
