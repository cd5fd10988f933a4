/**
 * The stack API's life cycle on a private, throwaway Redis (own ORDERPULSE_HOME and port, so the
 * shared stack is untouched): up, idempotent up, status, down, idempotent down, reset.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { stackDown, stackReset, stackStatus, stackUp } from './api.ts';
import { isAlive } from './proc.ts';
import { redisPing } from './redis.ts';
import { freePort } from '../testing/free-port.ts';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'op-stack-api-'));
const lines: string[] = [];
const log = createLogger({}, (l) => lines.push(l));

describe('stack API life cycle (private redis)', () => {
  let opts: Parameters<typeof stackUp>[0] = {};

  afterAll(async () => {
    await stackDown(opts).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('up starts it detached and healthy; a second up finds it running', async () => {
    const port = await freePort();
    opts = { only: ['redis'], log, config: loadConfig({ ORDERPULSE_HOME: home, REDIS_PORT: String(port) }) };
    const res = await stackUp(opts);
    expect(res.map((r) => [r.name, r.ok])).toEqual([['redis', true]]);
    expect(await redisPing(port)).toBe(true);
    const [st] = await stackStatus(opts);
    expect(st).toMatchObject({ name: 'redis', running: true, healthy: true, endpoint: `redis://127.0.0.1:${port}`, logFile: path.join(home, 'redis', 'redis.log') });
    expect(fs.existsSync(path.join(home, 'redis', 'data'))).toBe(true);

    await stackUp(opts);
    expect(lines.some((l) => l.includes('already running'))).toBe(true);
    expect((await stackStatus(opts))[0]?.pid).toBe(st?.pid);
  });

  it('down stops it (idempotently); reset deletes its data and log but keeps the config dir', async () => {
    const pid = (await stackStatus(opts))[0]?.pid ?? -1;
    await stackDown(opts);
    expect(isAlive(pid)).toBe(false);
    expect((await stackStatus(opts))[0]).toMatchObject({ running: false, healthy: false });
    await stackDown(opts);

    const removed = await stackReset(opts);
    expect(removed.sort()).toEqual([path.join(home, 'redis', 'data'), path.join(home, 'redis', 'redis.log')]);
    expect(fs.existsSync(path.join(home, 'redis', 'redis.conf'))).toBe(true);
  });
});
