/**
 * WebHdfsStorage against the real HDFS of the local stack (npm run stack -- up --all):
 * two-step CREATE through the DataNode, OPEN, LISTSTATUS, rename-over, errors.
 * Everything lives under its own root directory, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { DependencyError, NotFoundError } from '../../platform/errors.ts';
import { createWebHdfsStorage } from './webhdfs-storage.ts';
import { freePort } from '../../../dev/testing/free-port.ts';

const config = loadConfig();
const root = `/orderpulse-int-${randomBytes(4).toString('hex')}`;
const nn = `http://127.0.0.1:${config.webhdfsPort}`;
const storage = createWebHdfsStorage({ url: `webhdfs://127.0.0.1:${config.webhdfsPort}${root}`, namenodeRpc: `127.0.0.1:${config.hdfsPort}` });

/** What the NameNode itself lists (hidden names included), to check for leftovers. */
async function rawNames(dir: string): Promise<string[]> {
  const res = await fetch(`${nn}/webhdfs/v1${root}${dir}?op=LISTSTATUS&user.name=orderpulse`, { signal: AbortSignal.timeout(10_000) });
  if (res.status === 404) return [];
  const body = (await res.json()) as { FileStatuses: { FileStatus: { pathSuffix: string }[] } };
  return body.FileStatuses.FileStatus.map((s) => s.pathSuffix).sort();
}

afterAll(async () => {
  await fetch(`${nn}/webhdfs/v1${root}?op=DELETE&recursive=true&user.name=orderpulse`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
});

describe('WebHdfsStorage on the local HDFS', () => {
  it('writes a 5 MB binary file through the DataNode and reads the same bytes back', async () => {
    const bytes = new Uint8Array(randomBytes(5 * 1024 * 1024));
    const p = '/orders_fact/dt=2026-11-24/part-00000-big.parquet';
    await storage.put(p, bytes);
    expect(await storage.exists(p)).toBe(true);
    const back = await storage.get(p);
    expect(back.byteLength).toBe(bytes.byteLength);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(bytes))).toBe(0);
    expect(await storage.list('/orders_fact/dt=2026-11-24')).toEqual([{ path: p, size: 5 * 1024 * 1024 }]);
    // the temporary name is gone
    expect(await rawNames('/orders_fact/dt=2026-11-24')).toEqual(['part-00000-big.parquet']);
  });

  it('replaces an existing file (rename over it) and leaves no temporary file', async () => {
    const p = '/over/file.bin';
    await storage.put(p, new TextEncoder().encode('first version, longer'));
    await storage.put(p, new TextEncoder().encode('second'));
    expect(new TextDecoder().decode(await storage.get(p))).toBe('second');
    expect(await storage.list('/over')).toEqual([{ path: p, size: 6 }]);
    expect(await rawNames('/over')).toEqual(['file.bin']);
  });

  it('writes an empty file', async () => {
    await storage.put('/empty/zero.bin', new Uint8Array(0));
    expect((await storage.get('/empty/zero.bin')).byteLength).toBe(0);
    expect(await storage.list('/empty')).toEqual([{ path: '/empty/zero.bin', size: 0 }]);
  });

  it('lists files and directories of the partition layout, sorted, hidden names left out', async () => {
    await storage.put('/t/dt=2026-11-02/b.parquet', new Uint8Array([2]));
    await storage.put('/t/dt=2026-11-02/a.parquet', new Uint8Array([1, 1]));
    await storage.put('/t/dt=2026-11-01/c.parquet', new Uint8Array([3]));
    await storage.put('/t/_manifest.json', new Uint8Array([4]));
    await storage.mkdirs('/t/.staging');
    expect(await storage.listDirs('/t')).toEqual(['/t/dt=2026-11-01', '/t/dt=2026-11-02']);
    expect(await storage.list('/t/dt=2026-11-02')).toEqual([
      { path: '/t/dt=2026-11-02/a.parquet', size: 2 },
      { path: '/t/dt=2026-11-02/b.parquet', size: 1 },
    ]);
    expect(await storage.list('/t')).toEqual([]);
    expect(await storage.list('/missing')).toEqual([]);
    expect(await storage.listDirs('/missing')).toEqual([]);
  });

  it('reports a missing file as NotFoundError naming the path', async () => {
    expect(await storage.exists('/nope/x.parquet')).toBe(false);
    const err = await storage.get('/nope/x.parquet').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(`${root}/nope/x.parquet`);
  });

  it('deletes a file; deleting a missing file is fine', async () => {
    await storage.put('/del/x.bin', new Uint8Array([9]));
    await storage.delete('/del/x.bin');
    expect(await storage.exists('/del/x.bin')).toBe(false);
    await expect(storage.delete('/del/x.bin')).resolves.toBeUndefined();
  });

  it('makes directories; a file in the way is a non-retriable DependencyError', async () => {
    await storage.mkdirs('/m/a/b');
    expect(await storage.listDirs('/m/a')).toEqual(['/m/a/b']);
    await storage.put('/m/file', new Uint8Array([1]));
    const err = await storage.mkdirs('/m/file/sub').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).retriable).toBe(false);
    expect((err as Error).message).toContain('/m/file/sub');
  });

  it('locationOf names the NameNode RPC address the NameNode itself hands to DataNodes', async () => {
    const res = await fetch(`${nn}/webhdfs/v1${root}/probe?op=CREATE&user.name=orderpulse`, { method: 'PUT', redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await res.text();
    const rpc = new URL(res.headers.get('location') ?? 'http://x/').searchParams.get('namenoderpcaddress');
    expect(storage.locationOf('/orders_fact/dt=2026-11-24')).toBe(`hdfs://${rpc}${root}/orders_fact/dt=2026-11-24`);
  });

  it('turns an unreachable NameNode into a retriable DependencyError with a hint', async () => {
    const port = await freePort();
    const dead = createWebHdfsStorage({ url: `webhdfs://127.0.0.1:${port}/x`, timeoutMs: 5_000 });
    const err = await dead.exists('/a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).retriable).toBe(true);
    expect((err as Error).message).toMatch(/ECONNREFUSED.*npm run stack/);
  });
});
