/** Assertions on the served KPI endpoints (vitest only). */
import { expect } from 'vitest';
import type { ExpectedKpis } from './kpi-expected.ts';
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
