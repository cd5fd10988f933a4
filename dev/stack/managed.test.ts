/** managedService with real local processes (no external services): start, idempotence, stop, failures. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { ServiceError } from '../../shared/platform/errors.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { managedService, type ManagedSpec } from './managed.ts';
import { isAlive, portOpen, readPid } from './proc.ts';
import type { ServiceContext } from './service.ts';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'op-managed-'));
const lines: string[] = [];
const ctxFor = (name: string): ServiceContext => {
  const dir = path.join(home, name);
  fs.mkdirSync(dir, { recursive: true });
  return { config: loadConfig({ ORDERPULSE_HOME: home }), log: createLogger({}, (l) => lines.push(l)), dir };
};
const stops: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const s of stops) await s().catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
});

/**
 * A free port below the kernel's ephemeral range (32768+), so that after our process stops no
 * other service's ephemeral listener (HDFS DataNode, test servers on port 0) can take it over
 * while the test checks that the port is closed.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const srv = net.createServer();
    const ok = await new Promise<boolean>((r) => {
      srv.once('error', () => r(false));
      srv.listen(port, '127.0.0.1', () => r(true));
    });
    if (ok) {
      await new Promise<void>((r) => srv.close(() => r()));
      return port;
    }
  }
  throw new Error('no free port in 20000-29999');
}

function spec(name: string, port: number, over: Partial<ManagedSpec> = {}): ManagedSpec {
  return {
    name,
    group: 'core',
    marker: 'op-managed-test',
    endpoint: () => `127.0.0.1:${port}`,
    ports: () => [port],
    install: async () => undefined,
    launch: () => ({
      command: process.execPath,
      args: ['-e', `require('net').createServer(s=>s.end()).listen(${port},'127.0.0.1',()=>console.log('listening'))`, 'op-managed-test'],
    }),
    healthy: () => portOpen(port),
    startTimeoutMs: 10_000,
    stopGraceMs: 3_000,
    ...over,
  };
}

describe('managedService', () => {
  it('starts detached, is idempotent, reports status, and stops (idempotently)', async () => {
    const port = await freePort();
    const svc = managedService(spec('echo', port));
    const ctx = ctxFor('echo');
    stops.push(() => svc.stop(ctx));
    await svc.start(ctx);
    const pid = readPid(path.join(ctx.dir, 'echo.pid'));
    expect(pid).toBeGreaterThan(1);
    expect(isAlive(pid ?? -1)).toBe(true);
    expect(fs.readFileSync(path.join(ctx.dir, 'echo.log'), 'utf8')).toContain('listening');

    await svc.start(ctx);
    expect(readPid(path.join(ctx.dir, 'echo.pid'))).toBe(pid);
    expect(lines.some((l) => l.includes('already running'))).toBe(true);

    const st = await svc.status(ctx);
    expect(st).toMatchObject({ name: 'echo', running: true, healthy: true, pid, endpoint: `127.0.0.1:${port}` });

    await svc.stop(ctx);
    expect(isAlive(pid ?? -1)).toBe(false);
    expect(await portOpen(port)).toBe(false);
    await svc.stop(ctx);
    expect(await svc.status(ctx)).toMatchObject({ running: false, healthy: false });
  });

  it('names the service and its log, with the log tail, when the process dies at start-up', async () => {
    const port = await freePort();
    const svc = managedService(spec('dies', port, { launch: () => ({ command: 'sh', args: ['-c', 'echo boom-op-managed-test; exit 3'] }) }));
    const ctx = ctxFor('dies');
    const err = await svc.start(ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    const e = err as ServiceError;
    expect(e.service).toBe('dies');
    expect(e.logFile).toBe(path.join(ctx.dir, 'dies.log'));
    expect(e.message).toMatch(/exited during start-up/);
    expect(e.message).toContain('boom-op-managed-test');
  });

  it('fails with a timeout error when the health check never passes', async () => {
    const port = await freePort();
    const svc = managedService(spec('slow', port, { launch: () => ({ command: 'sleep', args: ['30'] }), marker: 'sleep', healthy: async () => false, startTimeoutMs: 700 }));
    const ctx = ctxFor('slow');
    stops.push(() => svc.stop(ctx));
    await expect(svc.start(ctx)).rejects.toThrow(/slow: not healthy after 1 s/);
    const pid = readPid(path.join(ctx.dir, 'slow.pid'));
    await svc.stop(ctx);
    expect(isAlive(pid ?? -1)).toBe(false);
  });

  it('refuses to start when its port is taken by something that is not healthy', async () => {
    const srv = net.createServer((s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const svc = managedService(spec('taken', port, { healthy: async () => false }));
      await expect(svc.start(ctxFor('taken'))).rejects.toThrow(new RegExp(`taken: port ${port} on 127.0.0.1 is taken`));
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
