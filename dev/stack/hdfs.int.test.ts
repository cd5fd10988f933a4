/**
 * The hdfs service's life cycle on a private instance (own ORDERPULSE_HOME and ports; the shared
 * stack is untouched; jars linked from the shared install): a first start formats, a restart
 * does not, and a file written before the restart is still there afterwards.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { createWebHdfsStorage } from '../../shared/archive/adapters/webhdfs-storage.ts';
import { hdfsService, HDFS_LIBS } from './hdfs.ts';
import { installMavenLibs, libsDirOf } from './maven-libs.ts';
import { isAlive } from './proc.ts';
import type { ServiceContext } from './service.ts';
import { waitFor } from '../testing/wait-for.ts';
import { freePort } from '../testing/free-port.ts';

const shared = loadConfig();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'op-hdfs-life-'));
const lines: string[] = [];
let ctx: ServiceContext;

afterAll(async () => {
  if (ctx) await hdfsService.stop(ctx).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('hdfs service life cycle (private instance)', () => {
  it('starts fresh (formatting), keeps a file across a restart without formatting, stops', { timeout: 420_000 }, async () => {
    const sharedCtx: ServiceContext = { config: shared, log: createLogger({}, () => undefined), dir: path.join(shared.localDir, 'hdfs') };
    await installMavenLibs(sharedCtx, HDFS_LIBS); // cached normally; installs on a bare machine
    const config = loadConfig({ ORDERPULSE_HOME: home, HDFS_PORT: String(await freePort()), WEBHDFS_PORT: String(await freePort()) });
    ctx = { config, log: createLogger({}, (l) => lines.push(l)), dir: path.join(home, 'hdfs') };
    fs.mkdirSync(ctx.dir, { recursive: true });
    fs.symlinkSync(libsDirOf(sharedCtx), libsDirOf(ctx));

    const t0 = Date.now();
    await hdfsService.install(ctx);
    expect(Date.now() - t0).toBeLessThan(2_000); // the stamp matches: nothing downloaded

    await hdfsService.start(ctx);
    const st = await hdfsService.status(ctx);
    expect(st).toMatchObject({ name: 'hdfs', running: true, healthy: true, logFile: path.join(ctx.dir, 'hdfs.log') });
    expect(lines.filter((l) => l.includes('formatting the NameNode'))).toHaveLength(1);

    const storage = createWebHdfsStorage({ url: `webhdfs://127.0.0.1:${config.webhdfsPort}/life`, namenodeRpc: `127.0.0.1:${config.hdfsPort}` });
    const bytes = new Uint8Array(randomBytes(300_000));
    await storage.put('/keep/me.bin', bytes);

    await hdfsService.stop(ctx);
    expect(isAlive(st.pid ?? -1)).toBe(false);
    expect(await hdfsService.healthy(ctx)).toBe(false);

    await hdfsService.start(ctx);
    expect(lines.filter((l) => l.includes('formatting the NameNode'))).toHaveLength(1);
    // Healthy means writable; an existing block is readable once the restarted DataNode's block
    // report reached the NameNode (until then reads fail retriably: "No active … nodes contain
    // this block"), which can lag the health check on a busy machine.
    const readBack = await waitFor(() => storage.get('/keep/me.bin'), { timeoutMs: 60_000, intervalMs: 250, what: 'the file written before the restart to be readable' });
    expect(Buffer.compare(Buffer.from(readBack), Buffer.from(bytes))).toBe(0);
    // healthy means writable: a write right after the restart goes through
    await storage.put('/keep/after-restart.bin', bytes.subarray(0, 1000));
    expect(await storage.list('/keep')).toEqual([
      { path: '/keep/after-restart.bin', size: 1000 },
      { path: '/keep/me.bin', size: 300_000 },
    ]);
    await hdfsService.stop(ctx);
    expect((await hdfsService.status(ctx)).running).toBe(false);
  });
});
