import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createLogger } from '../shared/platform/log.ts';
import { emptyViews } from '../shared/kpi/views.ts';
import { VIEW_NAMES, type ViewName } from '../shared/kpi/types.ts';
import { createRegistry, dashboardMetrics, METRICS_CONTENT_TYPE } from '../shared/platform/metrics.ts';
import { createApp } from './app.ts';
import { createChangeHub, type ChangeHub } from './hub.ts';
import { createResultsCache, type ResultsCache } from './results.ts';
import { MemoryResultStore } from './testing/memory-results.ts';

const silent = createLogger({}, () => undefined);

function kpiViews(asOf: string): Record<ViewName, string | null> {
  const e = emptyViews();
  const out = {} as Record<ViewName, string | null>;
  for (const n of VIEW_NAMES) out[n] = JSON.stringify(n === 'summary' ? { ...e.summary, as_of: asOf } : e[n]);
  return out;
}

describe('dashboard GET /metrics', () => {
  let hub: ChangeHub;
  let results: ResultsCache;
  let app: Hono;
  const asOf = new Date(Date.now() - 5000).toISOString();

  beforeEach(async () => {
    const views = { readView: async () => null, readAllViews: async () => ({ version: 1, views: kpiViews(asOf) }) };
    hub = await createChangeHub({ ...views, readVersion: async () => 1, subscribe: async () => async () => undefined }, silent, 60_000);
    results = await createResultsCache(new MemoryResultStore(), silent, 60_000);
    const registry = createRegistry();
    const recorder = dashboardMetrics(registry, {
      sseClients: () => hub.listeners(),
      kpiAsOf: async () => (JSON.parse((await hub.current()).views.summary) as { as_of: string | null }).as_of,
    });
    app = createApp({ views, hub, results, health: async () => ({}), assets: new Map(), log: silent, metrics: { recorder, render: () => registry.metrics() } });
  });
  afterEach(async () => {
    await results.close();
    await hub.close();
  });

  it('counts requests by route pattern and code (pages and unknown paths as "/*"), and reports the served views\' age', async () => {
    await app.request('/api/kpis/summary');
    await app.request('/api/kpis/summary');
    await app.request('/api/quality');
    await app.request('/no/such/page?order=123');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
    const lines = (await res.text()).split('\n');
    expect(lines).toContain('orderpulse_dashboard_requests_total{route="/api/kpis/summary",code="200"} 2');
    expect(lines).toContain('orderpulse_dashboard_requests_total{route="/api/quality",code="404"} 1');
    expect(lines).toContain('orderpulse_dashboard_requests_total{route="/*",code="404"} 1');
    expect(lines).toContain('orderpulse_dashboard_sse_clients 0');
    const age = Number(lines.find((l) => l.startsWith('orderpulse_dashboard_kpi_age_seconds '))?.split(' ')[1]);
    expect(age).toBeGreaterThanOrEqual(5);
    expect(age).toBeLessThan(60);
  });
});
