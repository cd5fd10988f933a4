/**
 * A private redis-server for tests that must FLUSHALL, SIGKILL or restart Redis without touching
 * the shared stack's instance. Runs Debian's redis-server (installed by `npm run stack -- up`)
 * on a free loopback port with its data in a temporary folder under .local/tmp.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../shared/platform/config.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { freePort } from '../dev/testing/free-port.ts';

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL the server (no final AOF fsync). */
  kill(): Promise<void>;
  /** Start it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stop and delete its data folder. */
  destroy(): Promise<void>;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    },
    { timeoutMs, intervalMs: 50, what: `the private redis at ${url} (is redis-server installed? npm run stack -- up)` },
  );
}

export async function startPrivateRedis(opts: { appendonly: boolean } = { appendonly: true }): Promise<PrivateRedis> {
  const base = path.join(loadConfig().localDir, 'tmp');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, 'kpi-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', opts.appendonly ? 'yes' : 'no', '--appendfsync', 'everysec'], { stdio: 'ignore' });
    await waitReady(url, 10_000);
  };
  const stopWith = async (sig: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((res) => {
      c.once('exit', () => res());
      c.kill(sig);
    });
  };
  await start();
  return {
    url,
    port,
    kill: () => stopWith('SIGKILL'),
    start,
    async destroy() {
      await stopWith('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
