/**
 * Metrics against the real pipeline (issue 9 item 3): ingest, aggregate, cache-write and
 * kpi-rebuild behind the local gateway and Kafka connector, the dashboard in-process, all on this
 * test's own topics, groups, database and KPI prefix. A seeded stream with duplicates and invalid
 * events is produced in two halves; the gateway's and the dashboard's /metrics are scraped during
 * and after the run, and the counts are checked against what was produced and against the stores
 * (facts in MongoDB, records on the DLQ topic).
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../shared/adapters/kafka.ts';
import { COLLECTIONS, connectMongo } from '../shared/adapters/mongo.ts';
import { parseSamples, select, total, type Samples } from '../shared/platform/testing/prom-text.ts';
import { createMessageStream, type GeneratedMessage } from '../dev/generator/stream.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { FUNCTIONS, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';

// Measure lag often, so "back to 0" is seen quickly (read by loadConfig when the pipeline starts).
process.env.METRICS_LAG_INTERVAL_MS = '250';
// archive-move writes to this test's own archive folder with its local catalog file, never a shared metastore.
process.env.HIVE_METASTORE_URI = '';

const N = 3000;
let kp: KpiPipeline;
let messages: GeneratedMessage[];

async function scrape(url: string, fetcher: (url: string, init: RequestInit) => Promise<Response> = fetch): Promise<Samples> {
  const r = await fetcher(url, { signal: AbortSignal.timeout(10_000) });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseSamples(await r.text());
}

// The gateway's /metrics is behind its basic auth, like every route but /healthz.
const gateway = (): Promise<Samples> => scrape('/metrics', (p, init) => kp.pipeline.gatewayFetch(p, init));
const dashboard = (): Promise<Samples> => scrape(`${kp.dashboard.url}/metrics`);

/** What ingest must count for `msgs`, from the generator's own labels of each message. */
function expected(msgs: readonly GeneratedMessage[]): { in: number; accepted: number; duplicate: number; dlq: Record<string, number> } {
  const dlq: Record<string, number> = {};
  for (const m of msgs) if (m.kind === 'bad') dlq[m.expect!] = (dlq[m.expect!] ?? 0) + 1;
  return { in: msgs.length, accepted: msgs.filter((m) => m.kind === 'order').length, duplicate: msgs.filter((m) => m.kind === 'duplicate').length, dlq };
}

function dlqByReason(s: Samples): Record<string, number> {
  return Object.fromEntries(select(s, 'orderpulse_ingest_events_dlq_total').map((x) => [x.labels.reason!, x.value]));
}

beforeAll(async () => {
  kp = await startKpiPipeline('metrics', { quiet: true, functions: [...FUNCTIONS, 'archive-move'] });
  // Event times just behind the wall clock (1000 orders/s of event time), so freshness is the pipeline's latency.
  const stream = createMessageStream({ seed: 9, start: Date.now() - 5000, eventRate: 1000, dupRate: 0.04, badRate: 0.05 });
  messages = Array.from({ length: N }, () => stream.next());
});

afterAll(async () => {
  await kp?.close();
  if (kp) await rm(fileURLToPath(kp.config.archiveUrl), { recursive: true, force: true });
});

describe('metrics during and after a run', () => {
  it('counts every produced event once, by outcome and DLQ reason, with invocations, lag back to 0, freshness and dashboard series', async () => {
    const want = expected(messages);
    expect(Object.keys(want.dlq).length).toBeGreaterThan(3);
    expect(want.duplicate).toBeGreaterThan(50);

    // Before anything is produced: the series exist, the counts are 0, lag is measured (0).
    const before = await gateway();
    expect(total(before, 'orderpulse_ingest_events_in_total')).toBe(0);
    await waitFor(async () => select(await gateway(), 'orderpulse_connector_consumer_lag', { function: 'ingest', topic: kp.config.topics.orders }).length > 0, { timeoutMs: 20_000, what: 'the ingest lag series' });

    // First half, then scrape during the run while the second half is produced.
    const half = Math.floor(N / 2);
    await kp.send(messages.slice(0, half));
    let maxLag = 0;
    const during = await waitFor(
      async () => {
        const s = await gateway();
        maxLag = Math.max(maxLag, total(s, 'orderpulse_connector_consumer_lag', { function: 'ingest' }));
        return total(s, 'orderpulse_ingest_events_in_total') > 0 ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'ingest to count its first events' },
    );
    const duringIn = total(during, 'orderpulse_ingest_events_in_total');
    expect(duringIn).toBeLessThanOrEqual(half);
    // Every scrape is consistent: in = accepted + duplicate + Σ DLQ (the function counts whole batches).
    expect(total(during, 'orderpulse_ingest_events_accepted_total') + total(during, 'orderpulse_ingest_events_duplicate_total') + total(during, 'orderpulse_ingest_events_dlq_total')).toBe(duringIn);
    await kp.send(messages.slice(half));

    // After: every event counted, every partition of every function caught up (lag 0).
    const t0 = Date.now();
    const after = await waitFor(
      async () => {
        const s = await gateway();
        maxLag = Math.max(maxLag, total(s, 'orderpulse_connector_consumer_lag', { function: 'ingest' }));
        if (total(s, 'orderpulse_ingest_events_in_total') !== N) return undefined;
        const lags = select(s, 'orderpulse_connector_consumer_lag');
        const fns = new Set(lags.map((l) => l.labels.function));
        if (!['ingest', 'aggregate', 'cache-write'].every((f) => fns.has(f))) return undefined;
        return lags.every((l) => l.value === 0) && total(s, 'orderpulse_kpi_freshness_seconds_count') > 0 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `all ${N} events counted and the lag back to 0` },
    );
    const drainMs = Date.now() - t0;

    expect(total(after, 'orderpulse_ingest_events_in_total')).toBe(want.in);
    expect(total(after, 'orderpulse_ingest_events_accepted_total')).toBe(want.accepted);
    expect(total(after, 'orderpulse_ingest_events_duplicate_total')).toBe(want.duplicate);
    expect(dlqByReason(after)).toEqual(want.dlq);
    expect(total(after, 'orderpulse_ingest_events_accepted_total') + total(after, 'orderpulse_ingest_events_duplicate_total') + total(after, 'orderpulse_ingest_events_dlq_total')).toBe(N);

    // The same counts, taken independently: facts in MongoDB, records on the DLQ topic.
    const mongo = await connectMongo(kp.config);
    try {
      expect(await mongo.db.collection(COLLECTIONS.fact).countDocuments()).toBe(want.accepted);
    } finally {
      await mongo.close();
    }
    const admin = createKafka(kp.config, 'metrics-int-admin').admin();
    await admin.connect();
    try {
      const offs = await admin.fetchTopicOffsets(kp.config.topics.dlq);
      expect(offs.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)).toBe(total(after, 'orderpulse_ingest_events_dlq_total'));
    } finally {
      await admin.disconnect();
    }

    // Invocations: ingest answered 200, synchronously through the gateway, with durations.
    const ok = total(after, 'orderpulse_function_invocations_total', { function: 'ingest', code: '200', mode: 'sync' });
    expect(ok).toBeGreaterThan(0);
    expect(total(after, 'orderpulse_function_duration_seconds_count', { function: 'ingest', code: '200', mode: 'sync' })).toBe(ok);
    expect(total(after, 'orderpulse_ingest_batches_total')).toBeLessThanOrEqual(ok);
    expect(total(after, 'orderpulse_function_invocations_total', { function: 'aggregate', code: '200' })).toBeGreaterThan(0);
    expect(total(after, 'orderpulse_function_invocations_total', { function: 'cache-write', code: '200' })).toBeGreaterThan(0);
    // The Kafka connector's own delivery series, once it calls the ConnectorMetrics hooks
    // (connectors/metrics.ts; the hooks are wired here, the connector calls them from issue 9 items 1-2 on).
    const delivered = select(after, 'orderpulse_connector_delivered_messages_total', { function: 'ingest' });
    if (delivered.length > 0) {
      expect(total(after, 'orderpulse_connector_delivered_messages_total', { function: 'ingest' })).toBe(N);
      expect(total(after, 'orderpulse_connector_delivered_chunks_total', { function: 'ingest' })).toBe(ok);
    }
    // Counters never go backwards between scrapes.
    expect(total(after, 'orderpulse_ingest_events_in_total')).toBeGreaterThanOrEqual(duringIn);

    // KPI freshness: event time -> view time, and the newest event time the views hold.
    const fCount = total(after, 'orderpulse_kpi_freshness_seconds_count');
    const fMean = total(after, 'orderpulse_kpi_freshness_seconds_sum') / fCount;
    expect(fMean).toBeGreaterThanOrEqual(0);
    expect(fMean).toBeLessThan(120);
    const newestEvent = Math.max(...messages.filter((m) => m.kind === 'order').map((m) => Date.parse((JSON.parse(String(m.value)) as { order_timestamp: string }).order_timestamp)));
    await waitFor(async () => total(await gateway(), 'orderpulse_kpi_newest_event_timestamp_seconds') === newestEvent / 1000, { timeoutMs: 30_000, what: 'the views to hold the newest event' });

    // Dashboard: the API it served, its SSE clients (none), the age of the views it serves.
    const summary = await waitFor(async () => {
      const s = await kp.get<{ orders: number }>('/api/kpis/summary');
      return s.orders === want.accepted ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the dashboard to serve every accepted order' });
    expect(summary.orders).toBe(want.accepted);
    const d = await dashboard();
    expect(total(d, 'orderpulse_dashboard_requests_total', { route: '/api/kpis/summary', code: '200' })).toBeGreaterThan(0);
    expect(total(d, 'orderpulse_dashboard_sse_clients')).toBe(0);
    const age = total(d, 'orderpulse_dashboard_kpi_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(120);

    // Archive: move 400 of the oldest orders in batches of 200 through the gateway; steps, orders and bytes add up.
    const r = await kp.pipeline.gatewayFetch(`/function/archive-move`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orders: 400, max_batch: 200 }), signal: AbortSignal.timeout(120_000) });
    expect(r.status).toBe(200);
    const moved = (await r.json()) as { moved: number; batches: { orders: number; bytes: number }[] };
    expect(moved.moved).toBe(400);
    const a = await gateway();
    for (const step of ['frozen', 'written', 'verified', 'registered', 'deleted']) expect(total(a, 'orderpulse_archive_steps_total', { step }), step).toBe(moved.batches.length);
    expect(total(a, 'orderpulse_archive_batches_total')).toBe(moved.batches.length);
    expect(total(a, 'orderpulse_archive_orders_total')).toBe(400);
    const bytes = moved.batches.reduce((n, b) => n + b.bytes, 0);
    expect(bytes).toBeGreaterThan(0);
    expect(total(a, 'orderpulse_archive_bytes_total')).toBe(bytes);
    expect(total(a, 'orderpulse_function_invocations_total', { function: 'archive-move', code: '200', mode: 'sync' })).toBe(1);

    process.stderr.write(
      `metrics run: ${N} events (${want.accepted} accepted, ${want.duplicate} duplicate, ${N - want.accepted - want.duplicate} DLQ), ` +
        `ingest invocations ${ok}, max ingest lag seen ${maxLag}, second half drained (counted + lag 0) in ${drainMs} ms, ` +
        `KPI freshness mean ${fMean.toFixed(3)} s over ${fCount} batches, dashboard view age ${age.toFixed(3)} s, archive ${moved.batches.length} batches ${bytes} bytes\n`,
    );
  });
});
