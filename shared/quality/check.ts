/**
 * One quality check: read the live views, run the batch analytics, read the live views again,
 * compare, count the DLQ, save the report. I/O behind the small QualityDeps interface.
 *
 * In-flight orders. The live views lag the hot store by the orders between ingest and
 * cache-write, so a batch run taken while events flow sees orders the views do not count yet.
 * The check is settled when the views did not change while the batch ran and count exactly the
 * orders the batch counted: every field is then compared exactly. Otherwise it waits (bounded)
 * for the views to catch up with the batch's order count and runs once more; when orders still
 * flow it reports `settled: false` and checks every additive field between the live values read
 * before and after the batch (accepted orders never change, so each of those values only grows),
 * skipping the ratios. A real loss (an order the views never count) stays a mismatch either way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalyticsResult } from '../analytics/types.ts';
import type { Logger } from '../platform/log.ts';
import { compare } from './compare.ts';
import type { LiveKpis } from './live.ts';
import type { DlqCounts, QualityCheckReport } from './types.ts';

export interface QualityDeps {
  readLive(): Promise<LiveKpis>;
  /** A fresh batch run of the configured engine (runAnalytics: it also saves the history). */
  runBatch(signal?: AbortSignal): Promise<AnalyticsResult>;
  readDlq(signal?: AbortSignal): Promise<DlqCounts>;
  save(report: QualityCheckReport): Promise<void>;
  log: Logger;
}

export interface QualityOptions {
  /** Batch runs at most (default 2: one retry when orders were flowing). */
  attempts?: number;
  /** How long to wait for the views to count the batch's orders (default 10 s). */
  catchUpMs?: number;
  /** Poll period of that wait (default 200 ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

interface Attempt {
  live: LiveKpis;
  batch: AnalyticsResult;
  after: LiveKpis;
  settled: boolean;
}

async function attempt(deps: QualityDeps, o: Required<Omit<QualityOptions, 'signal'>>, signal?: AbortSignal): Promise<Attempt> {
  const live = await deps.readLive();
  const batch = await deps.runBatch(signal);
  let after = await deps.readLive();
  const deadline = Date.now() + o.catchUpMs;
  while (after.summary.orders < batch.summary.orders && Date.now() < deadline) {
    await sleep(o.pollMs, undefined, { signal });
    after = await deps.readLive();
  }
  const settled = after.version === live.version && live.summary.orders === batch.summary.orders;
  return { live, batch, after, settled };
}

export async function runQualityCheck(deps: QualityDeps, opts: QualityOptions = {}): Promise<QualityCheckReport> {
  const o = { attempts: opts.attempts ?? 2, catchUpMs: opts.catchUpMs ?? 10_000, pollMs: opts.pollMs ?? 200 };
  let a = await attempt(deps, o, opts.signal);
  for (let i = 1; i < o.attempts && !a.settled; i++) {
    deps.log.info('quality: orders were flowing during the batch run; running once more', { live_orders: a.live.summary.orders, batch_orders: a.batch.summary.orders, live_version: a.live.version, after_version: a.after.version });
    a = await attempt(deps, o, opts.signal);
  }
  const dlq = await deps.readDlq(opts.signal);
  const report = compare(a.live, a.batch, a.settled ? { dlq } : { dlq, after: a.after });
  await deps.save(report);
  deps.log[report.mismatches > 0 ? 'warn' : 'info']('quality check', {
    engine: report.engine,
    settled: report.settled,
    checked_fields: report.checked_fields,
    mismatches: report.mismatches,
    fields: report.details.slice(0, 10).map((d) => d.field),
    dlq: report.dlq_by_reason,
  });
  return report;
}
