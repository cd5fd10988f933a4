import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createLogger } from '../shared/platform/log.ts';
import type { ViewName } from '../shared/kpi/types.ts';
import { API_VIEWS, KPI_VIEW_HEADERS } from './app.ts';
import { createFastReads, etagOf } from './fast-reads.ts';
import { createChangeHub, type HubSource } from './hub.ts';

const silent = createLogger({}, () => undefined);
const ROUTES = Object.fromEntries(Object.entries(API_VIEWS).map(([seg, view]) => [`/api/kpis/${seg}`, view]));

function views(orders: number): Record<ViewName, string | null> {
  return { summary: `{"orders":${orders}}`, revenue_per_minute: '[]', top_products: null, orders_by_state: '[]', payments: '[]', segments: '[]' };
}

/** A hub over an in-memory source whose version the test moves, and a server: fast reads, else 599. */
async function setup(): Promise<{ url: string; setVersion(v: number): void; fire(): void; hub: Awaited<ReturnType<typeof createChangeHub>>; recorded: [string, number][]; close(): Promise<void> }> {
  let version = 1;
  let fire: () => void = () => undefined;
  const src: HubSource = {
    readAllViews: async () => ({ version, views: views(version) }),
    readVersion: async () => version,
    async subscribe(cb) {
      fire = cb;
      return async () => undefined;
    },
  };
  const hub = await createChangeHub(src, silent, 60_000);
  const recorded: [string, number][] = [];
  const fast = createFastReads({ hub, routes: ROUTES, headers: KPI_VIEW_HEADERS, metrics: { request: (route, status) => void recorded.push([route, status]) } });
  const server = http.createServer((req, res) => {
    if (!fast(req, res)) res.writeHead(599).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setVersion: (v) => (version = v),
    fire: () => fire(),
    hub,
    recorded,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let env: Awaited<ReturnType<typeof setup>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('createFastReads', () => {
  it('leaves a read to Hono until the hub is known fresh, then serves its bytes with the KPI headers and an ETag', async () => {
    env = await setup();
    expect((await fetch(`${env.url}/api/kpis/summary`)).status).toBe(599);
    await env.hub.current();
    const r = await fetch(`${env.url}/api/kpis/summary?x=1`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('{"orders":1}');
    for (const [k, v] of Object.entries(KPI_VIEW_HEADERS)) expect(r.headers.get(k)).toBe(v);
    expect(r.headers.get('etag')).toBe(etagOf('{"orders":1}'));
    expect(await (await fetch(`${env.url}/api/kpis/top-products`)).text()).toBe('[]');
    const again = await fetch(`${env.url}/api/kpis/summary`, { headers: { 'if-none-match': r.headers.get('etag') as string } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('no-cache');
    expect(env.recorded).toEqual([
      ['/api/kpis/summary', 200],
      ['/api/kpis/top-products', 200],
      ['/api/kpis/summary', 304],
    ]);
    // Not ours: other paths and methods.
    expect((await fetch(`${env.url}/api/kpis`)).status).toBe(599);
    expect((await fetch(`${env.url}/api/kpis/summary`, { method: 'HEAD' })).status).toBe(599);
  });

  it('serves a change as soon as the hub announces it (the SSE push): never an older view', async () => {
    env = await setup();
    await env.hub.current();
    const served: { pushed: number; orders: number }[] = [];
    const seen: number[] = [];
    // The SSE stream's listener: a read started when a push is sent must already see that push.
    const off = env.hub.on((s) => {
      seen.push(s.version ?? -1);
      void fetch(`${env?.url}/api/kpis/summary`)
        .then((r) => r.text())
        .then((t) => served.push({ pushed: s.version ?? -1, orders: (JSON.parse(t) as { orders: number }).orders }));
    });
    for (let v = 2; v <= 6; v++) {
      env.setVersion(v);
      env.fire();
      await waitFor(() => seen.includes(v), { timeoutMs: 5_000, intervalMs: 1, what: `the push of version ${v}` });
    }
    await waitFor(() => served.length === 5, { timeoutMs: 5_000, intervalMs: 1, what: 'the reads' });
    off();
    for (const s of served) expect(s.orders).toBeGreaterThanOrEqual(s.pushed);
    // An ETag of the previous version does not match the new one.
    const before = etagOf('{"orders":5}');
    const r = await fetch(`${env.url}/api/kpis/summary`, { headers: { 'if-none-match': before } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('{"orders":6}');
  });
});
