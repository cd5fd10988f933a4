/** Assertions on the served KPI endpoints and stored views (vitest only). */
import { expect } from 'vitest';
import { expectedKpis, type ExpectedKpis } from './kpi-expected.ts';
import { contributionOf } from '../shared/kpi/contribution.ts';
import { orderFromEvent } from '../shared/kpi/order.ts';
import type { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { VIEW_NAMES, type Contribution } from '../shared/kpi/types.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import type { KpiPipeline } from './kpi-pipeline.ts';

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

/** The contributions of valid test events (throws on an invalid one). */
export function contribs(events: readonly OrderEvent[]): Contribution[] {
  return events.map((e) => {
    const r = orderFromEvent(e);
    if (!r.ok) throw new Error(r.error);
    return contributionOf(r.value);
  });
}

/** A store's served views as parsed JSON, without the materialisation time. */
export async function served(store: RedisKpiStore): Promise<Record<string, unknown>> {
  const { views } = await store.readAllViews();
  const out: Record<string, unknown> = {};
  for (const n of VIEW_NAMES) {
    const v = JSON.parse(views[n] ?? 'null') as Record<string, unknown> | null;
    if (n === 'summary' && v) delete v.as_of;
    out[n] = v;
  }
  return out;
}

/** What `served` must equal for these accepted events. */
export function expectedServed(events: readonly OrderEvent[]): Record<string, unknown> {
  const e = expectedKpis(events);
  return { summary: e.summary, revenue_per_minute: e.revenue_per_minute, top_products: e.top_products, orders_by_state: e.orders_by_state, payments: e.payments, segments: e.segments };
}
