import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import type { AnalyticsResult } from '../analytics/types.ts';
import { runQualityCheck, type QualityDeps } from './check.ts';
import type { LiveKpis } from './live.ts';
import type { QualityCheckReport } from './types.ts';
import { batchOf3, liveOf, snapshotOf3 } from './testing/fixtures.ts';

const log = createLogger({ test: 'quality' }, () => undefined);
const dlq = { by_reason: { schema: 1 }, records: 1, redelivered: 0 };

/** Deps whose live reads and batch runs follow scripts (the last entry repeats). */
function deps(lives: LiveKpis[], batches: AnalyticsResult[]): QualityDeps & { saved: QualityCheckReport[]; runs: number; reads: number } {
  const d = {
    saved: [] as QualityCheckReport[],
    runs: 0,
    reads: 0,
    log,
    readLive: async () => lives[Math.min(d.reads++, lives.length - 1)]!,
    runBatch: async () => batches[Math.min(d.runs++, batches.length - 1)]!,
    readDlq: async () => dlq,
    save: async (r: QualityCheckReport) => void d.saved.push(r),
  };
  return d;
}

function at(version: number, orders: number): LiveKpis {
  const s = snapshotOf3();
  s.version = version;
  s.orders = orders;
  return liveOf(s);
}

describe('quality check run', () => {
  it('settled at once: one batch run, exact comparison, the report saved and returned', async () => {
    const d = deps([liveOf(snapshotOf3())], [batchOf3()]);
    const r = await runQualityCheck(d);
    expect(d.runs).toBe(1);
    expect(r).toMatchObject({ settled: true, mismatches: 0, checked_fields: 16, dlq_by_reason: { schema: 1 } });
    expect(d.saved).toEqual([r]);
  });

  it('orders flowing during the first run: waits for the views to catch up, runs once more, settles', async () => {
    // first attempt: before v5 (2 orders), after v6 (3 orders); second attempt: v7 before and after, 3 orders
    const d = deps([at(5, 2), at(6, 3), liveOf(snapshotOf3())], [batchOf3()]);
    const r = await runQualityCheck(d, { pollMs: 1 });
    expect(d.runs).toBe(2);
    expect(r).toMatchObject({ settled: true, mismatches: 0, live_version: 7 });
  });

  it('the views lag the batch: polls (bounded) until they count its orders', async () => {
    const d = deps([at(5, 2), at(5, 2), at(5, 2), at(6, 3)], [batchOf3()]);
    const r = await runQualityCheck(d, { pollMs: 1, attempts: 1 });
    expect(d.reads).toBe(4);
    expect(r).toMatchObject({ settled: false, mismatches: 0, live_version: 5 });
  });

  it('still flowing after the retry: not settled, bracketed; a real loss stays a mismatch', async () => {
    const d = deps([at(1, 2), at(2, 4), at(3, 2), at(4, 4)], [batchOf3()]);
    const r = await runQualityCheck(d, { pollMs: 1 });
    expect(d.runs).toBe(2);
    expect(r).toMatchObject({ settled: false, mismatches: 0, checked_fields: 14 });

    const lost = deps([at(1, 2)], [batchOf3()]); // the views never count the third order
    const r2 = await runQualityCheck(lost, { pollMs: 1, catchUpMs: 20 });
    expect(r2.settled).toBe(false);
    expect(r2.details.map((m) => m.field)).toContain('summary.orders');
    expect(r2.details.find((m) => m.field === 'summary.orders')).toEqual({ field: 'summary.orders', live: 2, batch: 3 });
  });
});
