import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createLogger } from '../shared/platform/log.ts';
import { emptyViews } from '../shared/kpi/views.ts';
import { VIEW_NAMES, type ViewName } from '../shared/kpi/types.ts';
import { createApp, CONTENT_SECURITY_POLICY } from './app.ts';
import { createChangeHub, type ChangeHub } from './hub.ts';
import { createResultsCache, type ResultsCache } from './results.ts';
import { MemoryResultStore } from './testing/memory-results.ts';

const silent = createLogger({}, () => undefined);

function kpiViews(): Record<ViewName, string | null> {
  const e = emptyViews();
  const out = {} as Record<ViewName, string | null>;
  for (const n of VIEW_NAMES) out[n] = JSON.stringify(e[n]);
  return out;
}

/** Open a stream and read until its first event arrives (the client is then counted). */
async function open(app: Hono): Promise<{ res: Response; reader: ReadableStreamDefaultReader<Uint8Array> | undefined }> {
  const res = await app.request('/api/stream');
  if (res.status !== 200) return { res, reader: undefined };
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  return { res, reader };
}

describe('dashboard security headers and SSE client limit', () => {
  let hub: ChangeHub;
  let results: ResultsCache;
  let app: Hono;
  let clients: () => number;

  beforeEach(async () => {
    hub = await createChangeHub({ readAllViews: async () => ({ version: 1, views: kpiViews() }), readVersion: async () => 1, subscribe: async () => async () => undefined }, silent, 60_000);
    results = await createResultsCache(new MemoryResultStore(), silent, 60_000);
    const views = { readView: async () => null, readAllViews: async () => ({ version: 1, views: kpiViews() }) };
    const assets = new Map([['/', { body: '<!doctype html><title>x</title>', type: 'text/html; charset=utf-8' }]]);
    app = createApp({ views, hub, results, health: async () => ({}), assets, log: silent, maxSseClients: 2 });
    clients = () => hub.listeners();
  });
  afterEach(async () => {
    await results.close();
    await hub.close();
  });

  it('sends a strict Content-Security-Policy (own origin only, no inline code) on the page, the API and errors', async () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    for (const p of ['/', '/api/kpis/summary', '/healthz', '/no-such-page']) {
      const r = await app.request(p);
      expect(r.headers.get('content-security-policy'), p).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(r.headers.get('x-frame-options'), p).toBe('DENY');
      await r.arrayBuffer();
    }
  });

  it('answers 503 with Retry-After beyond maxSseClients streams, and takes a new one when a client leaves', async () => {
    const a = await open(app);
    const b = await open(app);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    const c = await open(app);
    expect(c.res.status).toBe(503);
    expect(c.res.headers.get('retry-after')).toBe('10');
    expect(((await c.res.json()) as { code: string }).code).toBe('too_many_clients');
    await a.reader!.cancel();
    await waitFor(async () => clients() === 1 || undefined, { timeoutMs: 2_000, intervalMs: 5, what: 'the first client gone' });
    const d = await open(app);
    expect(d.res.status).toBe(200);
    await b.reader!.cancel();
    await d.reader!.cancel();
  });
});
