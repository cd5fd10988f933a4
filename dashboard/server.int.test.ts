/**
 * The dashboard listens where HOST says (default 127.0.0.1 only; compose sets 0.0.0.0), and its
 * KPI reads are never staler than its SSE stream. Needs Redis.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { emptyViews } from '../shared/kpi/views.ts';
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

describe('dashboard KPI reads (the in-process cache, dashboard/fast-reads.ts)', () => {
  it('serve a KPI change as soon as the SSE stream pushes it, and within a bounded time of its write', async () => {
    const prefix = `dash-fresh-${process.pid}-${Date.now()}:`;
    const d = await startDashboard({ config: loadConfig(), port: 0, prefix, log: silent });
    const ac = new AbortController();
    try {
      // An SSE client: the summary of each `kpis` push.
      const pushed: number[] = [];
      const res = await fetch(`${d.url}/api/stream`, { signal: ac.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const onPush: ((orders: number) => void)[] = [];
      void (async () => {
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += dec.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (!block.startsWith('event: kpis')) continue;
            const orders = (JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { summary: { orders: number } }).summary.orders;
            pushed.push(orders);
            for (const f of onPush) f(orders);
          }
        }
      })().catch(() => undefined);
      await waitFor(() => pushed.length > 0, { timeoutMs: 10_000, what: 'the first SSE push' });
      const read = async (): Promise<{ orders: number; etag: string | null }> => {
        const r = await fetch(`${d.url}/api/kpis/summary`);
        return { orders: ((await r.json()) as { orders: number }).orders, etag: r.headers.get('etag') };
      };
      const afterPush: { pushed: number; served: number }[] = [];
      onPush.push((orders) => void read().then((r) => afterPush.push({ pushed: orders, served: r.orders })));
      const lagMs: number[] = [];
      for (let v = 1; v <= 10; v++) {
        const views = emptyViews();
        views.summary.orders = v;
        const t0 = performance.now();
        expect(await d.store.writeViews(v, views)).toBe(true);
        // Served (from the cache, which has an ETag) within a bounded time of the write.
        await waitFor(async () => (await read()).orders === v, { timeoutMs: 5_000, intervalMs: 1, what: `GET /api/kpis/summary to serve version ${v}` });
        lagMs.push(performance.now() - t0);
        await waitFor(() => pushed.includes(v), { timeoutMs: 5_000, what: `the SSE push of version ${v}` });
      }
      await waitFor(() => afterPush.length >= 10, { timeoutMs: 5_000, what: 'the reads started at each push' });
      // A read started when the stream delivered version v never serves an older one.
      for (const a of afterPush) expect(a.served).toBeGreaterThanOrEqual(a.pushed);
      expect((await read()).etag).toMatch(/^"/);
      lagMs.sort((a, b) => a - b);
      process.stdout.write(`KPI write -> served by GET: median ${lagMs[5]?.toFixed(1)} ms, max ${lagMs[9]?.toFixed(1)} ms\n`);
      // The notice path (PUBLISH -> one read of the views), not the 1 s poll, brings the change.
      expect(lagMs[5]).toBeLessThan(500);
    } finally {
      ac.abort();
      await d.store.deleteAll();
      await d.close();
    }
  });
});
