import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './config.ts';
import { parseSamples, select, total } from './testing/prom-text.ts';
import { archiveMetrics, codeLabel, combineMetrics, createRegistry, dashboardMetrics, gatewayMetrics, ingestMetrics, kpiMetrics, SERIES, series } from './metrics.ts';

const samples = parseSamples;

describe('metrics catalog', () => {
  it('names every series orderpulse_* with counters ending in _total', () => {
    for (const [name, d] of Object.entries(SERIES)) {
      expect(name).toMatch(/^orderpulse_[a-z_]+$/);
      expect(name.endsWith('_total')).toBe(d.kind === 'counter');
      expect(d.labels).not.toContain('order_id');
    }
  });

  it('docs/metrics.md lists every series with its labels', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'metrics.md'), 'utf8');
    for (const [name, d] of Object.entries(SERIES)) {
      const row = doc.split('\n').find((l) => l.includes(`\`${name}\``));
      expect(row, name).toBeDefined();
      for (const l of d.labels) expect(row, `${name} label ${l}`).toContain(l);
    }
  });

  it('returns the same metric for a second recorder on one registry', () => {
    const reg = createRegistry();
    expect(series(reg, 'orderpulse_ingest_events_in_total')).toBe(series(reg, 'orderpulse_ingest_events_in_total'));
    ingestMetrics(reg);
    ingestMetrics(reg);
  });

  it('codeLabel keeps HTTP codes and maps anything else to 0', () => {
    expect(codeLabel(200)).toBe('200');
    expect(codeLabel(503)).toBe('503');
    expect(codeLabel(0)).toBe('0');
    expect(codeLabel(undefined)).toBe('0');
    expect(codeLabel(42)).toBe('0');
  });
});

describe('recorders', () => {
  it('ingest counts in, accepted, duplicate and DLQ by reason', async () => {
    const reg = createRegistry();
    const m = ingestMetrics(reg);
    m.batch({ received: 10, accepted: 6, duplicates: 1, dlq: { invalid_json: 2, missing_field: 1 } });
    m.batch({ received: 3, accepted: 1, duplicates: 0, dlq: { invalid_json: 2 } });
    const s = samples(await reg.metrics());
    expect(s.get('orderpulse_ingest_batches_total')).toBe(2);
    expect(s.get('orderpulse_ingest_events_in_total')).toBe(13);
    expect(s.get('orderpulse_ingest_events_accepted_total')).toBe(7);
    expect(s.get('orderpulse_ingest_events_duplicate_total')).toBe(1);
    expect(s.get('orderpulse_ingest_events_dlq_total{reason="invalid_json"}')).toBe(4);
    expect(s.get('orderpulse_ingest_events_dlq_total{reason="missing_field"}')).toBe(1);
  });

  it('gateway invocations by function, code and mode, with a duration histogram and the queue depth', async () => {
    const reg = createRegistry();
    const depth = { ingest: 0, 'archive-move': 2 };
    const m = gatewayMetrics(reg, () => depth);
    m.invoked('ingest', 'sync', 200, 0.02);
    m.invoked('ingest', 'sync', 200, 0.3);
    m.invoked('archive-move', 'async', 0, 1);
    const s = samples(await reg.metrics());
    expect(s.get('orderpulse_function_invocations_total{function="ingest",code="200",mode="sync"}')).toBe(2);
    expect(s.get('orderpulse_function_invocations_total{function="archive-move",code="0",mode="async"}')).toBe(1);
    expect(s.get('orderpulse_function_duration_seconds_count{function="ingest",code="200",mode="sync"}')).toBe(2);
    expect(s.get('orderpulse_function_duration_seconds_bucket{le="0.025",function="ingest",code="200",mode="sync"}')).toBe(1);
    expect(s.get('orderpulse_gateway_async_queue_depth{function="archive-move"}')).toBe(2);
  });

  it('archive steps, batches, orders and bytes', async () => {
    const reg = createRegistry();
    const m = archiveMetrics(reg);
    for (const st of ['frozen', 'written', 'verified', 'registered', 'deleted']) m.step(st);
    m.batch({ orders: 100, bytes: 5000 });
    const s = samples(await reg.metrics());
    expect(s.get('orderpulse_archive_steps_total{step="written"}')).toBe(1);
    expect(s.get('orderpulse_archive_orders_total')).toBe(100);
    expect(s.get('orderpulse_archive_bytes_total')).toBe(5000);
    expect(s.get('orderpulse_archive_batches_total')).toBe(1);
  });

  it('KPI freshness: one sample per batch, view minus newest event time', async () => {
    const reg = createRegistry();
    const m = kpiMetrics(reg);
    const view = Date.UTC(2026, 0, 1, 12, 0, 10);
    m.materialized({ written: true, viewMs: view, newestEventMs: view - 3000, batchNewestMs: [view - 3000, view - 400] });
    const s = samples(await reg.metrics());
    expect(s.get('orderpulse_kpi_freshness_seconds_count')).toBe(2);
    expect(s.get('orderpulse_kpi_freshness_seconds_sum')).toBeCloseTo(3.4, 6);
    expect(s.get('orderpulse_kpi_freshness_seconds_bucket{le="0.5"}')).toBe(1);
    expect(s.get('orderpulse_kpi_newest_event_timestamp_seconds')).toBe((view - 3000) / 1000);
    expect(s.get('orderpulse_kpi_views_timestamp_seconds')).toBe(view / 1000);
    expect(s.get('orderpulse_kpi_materializations_total{written="true"}')).toBe(1);
  });

  it('dashboard: requests by route and code, SSE clients and the age of the served views at scrape time', async () => {
    const reg = createRegistry();
    let asOf: string | null = null;
    const now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const m = dashboardMetrics(reg, { sseClients: () => 3, kpiAsOf: () => asOf, now: () => now });
    m.request('/api/kpis/summary', 200, 0.001);
    let s = samples(await reg.metrics());
    expect(s.get('orderpulse_dashboard_requests_total{route="/api/kpis/summary",code="200"}')).toBe(1);
    expect(s.get('orderpulse_dashboard_sse_clients')).toBe(3);
    expect(s.get('orderpulse_dashboard_kpi_age_seconds')).toBe(-1);
    asOf = new Date(now - 2500).toISOString();
    s = samples(await reg.metrics());
    expect(s.get('orderpulse_dashboard_kpi_age_seconds')).toBe(2.5);
  });
});

describe('combineMetrics', () => {
  it('sums counters and histograms of several processes and keeps the max of timestamp gauges', async () => {
    const a = createRegistry();
    const b = createRegistry();
    const gw = createRegistry();
    ingestMetrics(a).batch({ received: 5, accepted: 5, duplicates: 0, dlq: {} });
    ingestMetrics(b).batch({ received: 2, accepted: 1, duplicates: 0, dlq: { invalid_json: 1 } });
    kpiMetrics(a).materialized({ written: true, viewMs: 2000_000, newestEventMs: 1000_000, batchNewestMs: [1000_000] });
    kpiMetrics(b).materialized({ written: true, viewMs: 3000_000, newestEventMs: 1500_000, batchNewestMs: [2999_000] });
    gatewayMetrics(gw).invoked('ingest', 'sync', 200, 0.1);
    const s = samples(await combineMetrics([await gw.getMetricsAsJSON(), await a.getMetricsAsJSON(), await b.getMetricsAsJSON()]).metrics());
    expect(s.get('orderpulse_ingest_events_in_total')).toBe(7);
    expect(s.get('orderpulse_ingest_events_dlq_total{reason="invalid_json"}')).toBe(1);
    expect(s.get('orderpulse_kpi_freshness_seconds_count')).toBe(2);
    expect(s.get('orderpulse_kpi_newest_event_timestamp_seconds')).toBe(1500);
    expect(s.get('orderpulse_kpi_views_timestamp_seconds')).toBe(3000);
    expect(s.get('orderpulse_function_invocations_total{function="ingest",code="200",mode="sync"}')).toBe(1);
  });

  it('test helpers select and sum samples by labels', async () => {
    const reg = createRegistry();
    ingestMetrics(reg).batch({ received: 4, accepted: 1, duplicates: 0, dlq: { invalid_json: 2, 'odd\\"reason': 1 } });
    const s = parseSamples(await reg.metrics());
    expect(total(s, 'orderpulse_ingest_events_dlq_total')).toBe(3);
    expect(select(s, 'orderpulse_ingest_events_dlq_total', { reason: 'invalid_json' })).toEqual([{ labels: { reason: 'invalid_json' }, value: 2 }]);
    expect(total(s, 'orderpulse_ingest_events_in')).toBe(0);
  });

  it('serves an empty page for no processes', async () => {
    expect(await combineMetrics([]).metrics()).toBe('\n');
  });
});
