/** The dashboard listens where HOST says (default 127.0.0.1 only; compose sets 0.0.0.0). Needs Redis. */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { startDashboard } from './server.ts';

const silent = createLogger({}, () => undefined);
/** A non-loopback IPv4 address of this machine (undefined on a machine without one). */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const reach = async (url: string): Promise<number | string> =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.status,
    (e: unknown) => String((e as { cause?: { code?: string } }).cause?.code ?? e),
  );

describe('dashboard HOST', () => {
  it.skipIf(!external)('default: loopback only; HOST=0.0.0.0: every interface', async () => {
    const local = await startDashboard({ config: loadConfig({ ...process.env, HOST: '' }), port: 0, log: silent });
    try {
      expect(local.url).toBe(`http://127.0.0.1:${local.port}`);
      expect(await reach(`${local.url}/healthz`)).toBe(200);
      expect(await reach(`http://${external}:${local.port}/healthz`)).toBe('ECONNREFUSED');
    } finally {
      await local.close();
    }
    const all = await startDashboard({ config: loadConfig({ ...process.env, HOST: '0.0.0.0' }), port: 0, log: silent });
    try {
      expect(all.url).toBe(`http://127.0.0.1:${all.port}`);
      expect(await reach(`http://${external}:${all.port}/healthz`)).toBe(200);
    } finally {
      await all.close();
    }
  });
});
