import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createLogger } from '../shared/platform/log.ts';
import { emptyViews } from '../shared/kpi/views.ts';
import { VIEW_NAMES, type ViewName } from '../shared/kpi/types.ts';
import { HISTORY_VIEWS } from '../shared/analytics/views.ts';
import { createApp } from './app.ts';
import { createChangeHub, type ChangeHub } from './hub.ts';
import { createResultsCache, HISTORY_VIEW_NAMES, type ResultsCache } from './results.ts';
import { MemoryResultStore, sampleQuality, sampleResult } from './testing/memory-results.ts';
import type { Hono } from 'hono';

const silent = createLogger({}, () => undefined);

function kpiViews(): Record<ViewName, string | null> {
  const e = emptyViews();
  const out = {} as Record<ViewName, string | null>;
  for (const n of VIEW_NAMES) out[n] = JSON.stringify(e[n]);
  return out;
}

/** Reads SSE events off a response body until `until` says stop (or the timeout). */
async function readEvents(res: Response, until: (events: { event: string; data: string }[]) => boolean): Promise<{ event: string; data: string }[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const events: { event: string; data: string }[] = [];
  let buf = '';
  const deadline = Date.now() + 5_000;
  while (!until(events)) {
    if (Date.now() > deadline) throw new Error(`SSE: gave up after ${JSON.stringify(events.map((e) => e.event))}`);
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
      events.push({ event, data });
    }
  }
  await reader.cancel();
  return events;
}

describe('dashboard history and quality API', () => {
  let store: MemoryResultStore;
  let hub: ChangeHub;
  let results: ResultsCache;
  let app: Hono;

  beforeEach(async () => {
    store = new MemoryResultStore();
    hub = await createChangeHub({ readAllViews: async () => ({ version: 1, views: kpiViews() }), readVersion: async () => 1, subscribe: async () => async () => undefined }, silent, 60_000);
    results = await createResultsCache(store, silent, 60_000);
    const views = { readView: async () => null, readAllViews: async () => ({ version: 1, views: kpiViews() }) };
    app = createApp({ views, hub, results, health: async () => ({}), assets: new Map(), log: silent });
  });
  afterEach(async () => {
    await results.close();
    await hub.close();
  });

  it('answers 404 with what has not run and how it runs, before the first run and check', async () => {
    for (const path of [...HISTORY_VIEW_NAMES.map((n) => `/api/history/${n}`), '/api/history']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { error: string; code: string; retriable: boolean };
      expect(body.code).toBe('not_found');
      expect(body.error).toMatch(/analytics function has not run yet/);
      expect(body.error).toMatch(/every minute/);
      expect(body.error).toMatch(/POST \/function\/analytics/);
    }
    const q = await app.request('/api/quality');
    expect(q.status).toBe(404);
    expect(((await q.json()) as { error: string }).error).toMatch(/quality check has not run yet/);
  });

  it('serves each history view as docs/contracts.md §10 says, built from the stored result', async () => {
    const r = sampleResult();
    await store.saveHistory(r);
    for (const name of HISTORY_VIEW_NAMES) {
      const res = await app.request(`/api/history/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json(), name).toEqual(JSON.parse(JSON.stringify(HISTORY_VIEWS[name](r))));
    }
    expect(await (await app.request('/api/history/summary')).json()).toEqual({
      orders: 5, paid_orders: 3, revenue: 300.01, aov: 100, unique_customers: 4, payment_success_rate: 0.8, engine: 'duckdb', as_of: '2026-11-24T12:01:05.000Z',
    });
    expect(await (await app.request('/api/history/daily')).json()).toEqual({
      engine: 'duckdb', as_of: r.as_of,
      days: [{ day: '2026-11-23', orders: 2, paid_orders: 1, revenue: 100, unique_customers: 2 }, { day: '2026-11-24', orders: 3, paid_orders: 2, revenue: 200.01, unique_customers: 3 }],
    });
    expect(await (await app.request('/api/history/categories')).json()).toEqual({
      engine: 'duckdb', as_of: r.as_of,
      categories: [{ category: 'Electronics', orders: 2, quantity: 3, revenue: 200.01 }, { category: 'Books', orders: 3, quantity: 4, revenue: 100 }],
    });
    expect(await (await app.request('/api/history/state-category')).json()).toMatchObject({ engine: 'duckdb', cells: [{ state: 'CA', category: 'Books', orders: 1, revenue: 100 }, {}, { state: 'NY', revenue: 0 }] });
    expect(await (await app.request('/api/history/payments-daily')).json()).toEqual({
      engine: 'duckdb', as_of: r.as_of,
      rows: [{ day: '2026-11-23', method: 'credit_card', attempts: 2, failed: 1, success_rate: 0.5 }, { day: '2026-11-24', method: 'paypal', attempts: 3, failed: 0, success_rate: 1 }],
    });
    const all = (await (await app.request('/api/history')).json()) as Record<string, unknown>;
    expect(Object.keys(all)).toEqual(HISTORY_VIEW_NAMES);
    expect(all['state-category']).toEqual(JSON.parse(JSON.stringify(HISTORY_VIEWS['state-category'](r))));
  });

  it('serves the stored quality report as is', async () => {
    const q = sampleQuality({ mismatches: 1, details: [{ field: 'summary.revenue', live: 300.01, batch: 300 }] });
    await store.saveQuality(q);
    const res = await app.request('/api/quality');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(q);
  });

  it('reads Redis once per change, not per request, and sees every save at once', async () => {
    await store.saveHistory(sampleResult());
    await app.request('/api/history/summary');
    const loads = store.loads;
    for (let i = 0; i < 5; i++) expect((await app.request('/api/history/daily')).status).toBe(200);
    expect(store.loads).toBe(loads);
    await store.saveHistory(sampleResult({ engine: 'spark', summary: { ...sampleResult().summary, orders: 6 } }));
    await waitFor(async () => ((await (await app.request('/api/history/summary')).json()) as { orders: number }).orders === 6, { timeoutMs: 5_000, intervalMs: 5, what: 'the new summary' });
    expect(((await (await app.request('/api/history/daily')).json()) as { engine: string }).engine).toBe('spark');
  });

  it('answers 503 when the results are not known fresh and the store does not answer', async () => {
    await store.saveHistory(sampleResult());
    const stale = await createResultsCache(store, silent, 60_000);
    const a = createApp({ views: { readView: async () => null, readAllViews: async () => ({ version: 1, views: kpiViews() }) }, hub, results: { ...stale, read: () => stale.read(0) }, health: async () => ({}), assets: new Map(), log: silent });
    store.failing = true;
    const res = await a.request('/api/history/summary');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { retriable: boolean }).retriable).toBe(true);
    await stale.close();
  });

  it('streams history and quality on connect (null before the first run) and on every save', async () => {
    const first = await readEvents(await app.request('/api/stream'), (e) => e.some((x) => x.event === 'quality'));
    expect(first.map((e) => e.event)).toEqual(['hello', 'kpis', 'history', 'quality']);
    expect(first[2]?.data).toBe('null');
    expect(first[3]?.data).toBe('null');

    const res = await app.request('/api/stream');
    const got = readEvents(res, (e) => e.some((x) => x.event === 'history' && x.data !== 'null') && e.some((x) => x.event === 'quality' && x.data !== 'null'));
    await waitFor(async () => (await results.current()) !== undefined, { timeoutMs: 1_000, intervalMs: 5, what: 'the cache' });
    const r = sampleResult();
    const q = sampleQuality();
    await store.saveHistory(r);
    await store.saveQuality(q);
    const events = await got;
    const h = events.filter((e) => e.event === 'history' && e.data !== 'null').at(-1);
    const parsed = JSON.parse(h?.data ?? 'null') as Record<string, unknown>;
    expect(parsed.summary).toEqual(JSON.parse(JSON.stringify(HISTORY_VIEWS.summary(r))));
    expect(parsed['payments-daily']).toEqual(JSON.parse(JSON.stringify(HISTORY_VIEWS['payments-daily'](r))));
    expect(JSON.parse(events.filter((e) => e.event === 'quality').at(-1)?.data ?? 'null')).toEqual(q);
  });
});
