/** What KPI freshness (event time → view time, orderpulse_kpi_freshness_seconds) is measured from. */
import type { KpiNotice } from './types.ts';

/**
 * The newest order time (epoch ms) of each change notice (kpi.deltas value) that applied orders:
 * one freshness sample per batch. Redeliveries (applied 0), empty batches and values that are not
 * notices give none.
 */
export function batchNewest(values: readonly (Buffer | string | null)[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    let n: Partial<KpiNotice> | null;
    try {
      n = JSON.parse(v === null ? 'null' : v.toString()) as Partial<KpiNotice> | null;
    } catch {
      continue;
    }
    const t = n && typeof n === 'object' && n.applied && typeof n.newest === 'string' ? Date.parse(n.newest) : NaN;
    if (Number.isFinite(t)) out.push(t);
  }
  return out;
}
