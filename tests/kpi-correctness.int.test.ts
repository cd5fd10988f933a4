/**
 * KPI correctness end to end: a seeded generator stream (cancellations, failed payments, exact
 * duplicates, conflicts, malformed events, late events) goes through the REAL pipeline (Kafka ->
 * ingest -> orders.accepted -> aggregate -> kpi.deltas -> cache-write -> Redis -> dashboard API).
 * The expected KPIs are computed independently in tests/kpi-expected.ts from the generated
 * events (not with shared/kpi); every field of every endpoint must match to the cent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedKpis } from './kpi-expected.ts';
import { acceptedOf, seededStream, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { expectServedEqual } from './kpi-served.ts';

describe('KPI correctness through the real pipeline', () => {
  let p: KpiPipeline;
  const { messages, late } = seededStream(6000, 20261124);
  const accepted = acceptedOf(messages);
  const expected = expectedKpis(accepted);

  beforeAll(async () => {
    p = await startKpiPipeline('correct');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('the stream has every kind of trouble the contract names', () => {
    const kinds = (k: string) => messages.filter((m) => m.kind === k).length;
    expect(kinds('duplicate')).toBeGreaterThan(100);
    expect(messages.filter((m) => m.fault === 'conflict').length).toBeGreaterThan(5);
    expect(kinds('bad')).toBeGreaterThan(100);
    expect(late).toBeGreaterThan(50);
    expect(accepted.filter((e) => e.order_status === 'cancelled').length).toBeGreaterThan(50);
    expect(accepted.filter((e) => e.payment.status === 'failed').length).toBeGreaterThan(50);
    expect(accepted.length).toBeGreaterThan(5000);
    // event time spans more than the 60-minute window, so the window edge is exercised
    const ts = accepted.map((e) => Date.parse(e.order_timestamp));
    expect(Math.max(...ts) - Math.min(...ts)).toBeGreaterThan(70 * 60_000);
  });

  it('every field of every endpoint equals the independent computation, to the cent', async () => {
    const before = await p.get<{ orders: number; as_of: string | null }>('/api/kpis/summary');
    expect(before.orders).toBe(0);
    await p.send(messages);
    await waitFor(
      async () => (await p.get<{ orders: number }>('/api/kpis/summary')).orders === accepted.length,
      { timeoutMs: 300_000, intervalMs: 500, what: `summary.orders == ${accepted.length}` },
    );
    await expectServedEqual(p, expected);
    const all = await p.get<Record<string, unknown>>('/api/kpis');
    expect(all.top_products).toEqual(expected.top_products);
  });
});
