import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage } from './local-storage.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-local-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalStorage', () => {
  it('puts, gets, lists and deletes files under its root', async () => {
    const s = LocalStorage.fromUrl(`file://${dir}`);
    expect(s.describe()).toBe(`file://${dir}`);
    await s.put('/orders_fact/dt=2026-01-01/part-a.parquet', new Uint8Array([1, 2, 3]));
    await s.put('/orders_fact/dt=2026-01-01/part-a.parquet', new Uint8Array([4, 5])); // replaces
    await s.put('/orders_fact/dt=2026-01-02/part-b.parquet', new Uint8Array([6]));
    expect([...(await s.get('/orders_fact/dt=2026-01-01/part-a.parquet'))]).toEqual([4, 5]);
    expect(await s.exists('/orders_fact/dt=2026-01-01/part-a.parquet')).toBe(true);
    expect(await s.exists('/orders_fact/dt=2026-01-03/part-a.parquet')).toBe(false);
    expect(await s.listDirs('/orders_fact')).toEqual(['/orders_fact/dt=2026-01-01', '/orders_fact/dt=2026-01-02']);
    expect(await s.list('/orders_fact/dt=2026-01-01')).toEqual([{ path: '/orders_fact/dt=2026-01-01/part-a.parquet', size: 2 }]);
    expect(await s.list('/nowhere')).toEqual([]);
    expect(await s.listDirs('/nowhere')).toEqual([]);
    expect(s.locationOf('/orders_fact/dt=2026-01-01')).toBe(`file://${dir}/orders_fact/dt=2026-01-01`);
    await s.delete('/orders_fact/dt=2026-01-01/part-a.parquet');
    await s.delete('/orders_fact/dt=2026-01-01/part-a.parquet'); // idempotent
    expect(await s.list('/orders_fact/dt=2026-01-01')).toEqual([]);
    await s.mkdirs('/x/y');
    expect(await s.listDirs('/x')).toEqual(['/x/y']);
    await expect(s.get('/orders_fact/missing')).rejects.toThrow(/cannot read/);
  });

  it('never shows a partial file: temporary names are hidden and cleaned up', async () => {
    const s = new LocalStorage(dir);
    await writeFile(path.join(dir, '.part-x.parquet.tmp-1-abc'), 'partial'); // a crashed writer's leftover
    await s.put('/part-y.parquet', new Uint8Array(1024 * 1024));
    expect(await s.list('/')).toEqual([{ path: '/part-y.parquet', size: 1024 * 1024 }]);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-') && n !== '.part-x.parquet.tmp-1-abc')).toEqual([]);
  });

  it('refuses paths that escape the root or are relative', async () => {
    const s = new LocalStorage(dir);
    await expect(s.put('/../escape', new Uint8Array(1))).rejects.toThrow(/escapes/);
    await expect(s.exists('relative')).rejects.toThrow(/absolute/);
    expect(() => new LocalStorage('relative/dir')).toThrow(/absolute/);
    expect(() => LocalStorage.fromUrl('webhdfs://h:1/x')).toThrow(/file:/);
  });
});
