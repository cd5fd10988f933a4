/**
 * KPI correctness end to end: a seeded generator stream (cancellations, failed payments, exact
 * duplicates, conflicts, malformed events, late events) goes through the REAL pipeline (Kafka ->
 * ingest -> orders.accepted -> aggregate -> kpi.deltas -> cache-write -> Redis -> dashboard API).
 * The expected KPIs are computed independently in tests/kpi-expected.ts from the generated
 * events (not with shared/kpi); every field of every endpoint must match to the cent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../shared/contract/types.ts';
import { createMessageStream, type GeneratedMessage } from '../shared/generator/stream.ts';
import { expectedKpis, firstWins, type ExpectedKpis } from './kpi-expected.ts';
import { startKpiPipeline, waitFor, type KpiPipeline } from './kpi-pipeline.ts';

/** The stream with ~3 % of order keys arriving late: those keys' messages move to the end, in their order. */
export function seededStream(n: number, seed: number): { messages: GeneratedMessage[]; late: number } {
  const stream = createMessageStream({ seed, start: Date.UTC(2026, 10, 24, 8, 0), eventRate: 1, dupRate: 0.04, badRate: 0.04 });
  const raw = Array.from({ length: n }, () => stream.next());
  let s = seed >>> 0;
  const lateKeys = new Set<string>();
  for (const m of raw) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (m.kind === 'order' && s / 4294967296 < 0.03) lateKeys.add(m.key);
  }
  return { messages: [...raw.filter((m) => !lateKeys.has(m.key)), ...raw.filter((m) => lateKeys.has(m.key))], late: lateKeys.size };
}

export function acceptedOf(messages: readonly GeneratedMessage[]): OrderEvent[] {
  return firstWins(messages.filter((m) => m.kind === 'order').map((m) => JSON.parse(String(m.value)) as OrderEvent));
}

const ENDPOINTS: [keyof ExpectedKpis, string][] = [
  ['summary', '/api/kpis/summary'],
  ['revenue_per_minute', '/api/kpis/revenue-per-minute'],
  ['top_products', '/api/kpis/top-products'],
  ['orders_by_state', '/api/kpis/orders-by-state'],
  ['payments', '/api/kpis/payments'],
  ['segments', '/api/kpis/segments'],
];

export async function expectServedEqual(p: KpiPipeline, expected: ExpectedKpis): Promise<void> {
  for (const [view, url] of ENDPOINTS) {
    const got = await p.get<Record<string, unknown>>(url);
    if (view === 'summary') {
      expect(typeof got.as_of).toBe('string');
      delete got.as_of;
    }
    expect(got, url).toEqual(expected[view]);
  }
}

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
      `summary.orders == ${accepted.length}`,
      async () => (await p.get<{ orders: number }>('/api/kpis/summary')).orders === accepted.length,
      300_000,
      500,
    );
    await expectServedEqual(p, expected);
    const all = await p.get<Record<string, unknown>>('/api/kpis');
    expect(all.top_products).toEqual(expected.top_products);
  });
});
