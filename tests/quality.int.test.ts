/**
 * The quality check end to end on the real services: a seeded stream with duplicates and bad
 * events goes through the REAL KPI pipeline (Kafka -> ingest -> MongoDB + orders.dlq ->
 * aggregate -> cache-write -> Redis views); then the quality function (in process, its real
 * Redis, Kafka and result store) compares the served views with a batch run of the analytics
 * SQL on DuckDB over the real hot store (tests/quality-engine.ts until the shared engine factory
 * is merged), counts the DLQ by reason, and saves the report. A KPI made wrong on purpose in
 * Redis must come out as a mismatch naming the field.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../shared/adapters/kafka.ts';
import { DependencyError } from '../shared/platform/errors.ts';
import type { FnContext, FnEvent } from '../shared/platform/fn.ts';
import type { FunctionModule } from '../shared/platform/function.ts';
import { createLogger } from '../shared/platform/log.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { RedisResultStore } from '../shared/analytics/adapters/redis-results.ts';
import { readDlqCounts } from '../shared/quality/adapters/kafka-dlq.ts';
import type { QualityCheckReport } from '../shared/quality/types.ts';
import type { SummaryView } from '../shared/kpi/types.ts';
import { qualityFunction } from '../functions/quality/quality.ts';
import { createMessageStream, type GeneratedMessage } from '../dev/generator/stream.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { acceptedOf, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';
import { readHotRows, testDuckDbEngine, type AnalyticsRow } from './quality-engine.ts';

const log = createLogger({ test: 'quality' }, process.env.QUALITY_TEST_LOG ? undefined : () => undefined);

function call(fn: FunctionModule, method: 'GET' | 'POST'): Promise<{ status: number; body: unknown }> {
  let status = 200;
  const ctx: FnContext = {
    status(c) {
      status = c;
      return ctx;
    },
    headers: () => ctx,
    succeed: () => ctx,
    fail: () => ctx,
  };
  const event: FnEvent = { body: undefined, rawBody: Buffer.alloc(0), headers: {}, method, query: {}, path: '/' };
  return fn.handler(event, ctx).then((body) => ({ status, body }));
}

describe('quality check on the real pipeline', () => {
  let p: KpiPipeline;
  let fn: FunctionModule;
  let results: RedisResultStore;
  let redis: Redis;
  /** Rows the engine reads as archived (a batch half moved: also still hot). */
  let archived: AnalyticsRow[] = [];
  const stream = createMessageStream({ seed: 8080, start: Date.UTC(2026, 10, 24, 8, 0), eventRate: 2, dupRate: 0.03, badRate: 0.06 });
  const messages: GeneratedMessage[] = Array.from({ length: 1500 }, () => stream.next());
  const accepted = acceptedOf(messages);
  const bad = messages.filter((m) => m.kind === 'bad');
  const expectedDlq: Record<string, number> = {};
  for (const m of bad) expectedDlq[m.expect!] = (expectedDlq[m.expect!] ?? 0) + 1;

  beforeAll(async () => {
    p = await startKpiPipeline('quality', { quiet: true });
    fn = qualityFunction(async (config) => testDuckDbEngine(config, () => archived), { config: () => p.config, log, check: { pollMs: 100 } });
    results = RedisResultStore.open(p.config.redisUrl, p.config.kpiPrefix, 'quality-test', log);
    redis = new Redis(p.config.redisUrl);
    await p.send(messages);
    await waitFor(async () => (await p.get<{ orders: number }>('/api/kpis/summary')).orders === accepted.length, { timeoutMs: 240_000, intervalMs: 250, what: `summary.orders == ${accepted.length}` });
    // every bad event has reached the DLQ topic (counted from its end offsets, not by the code under test)
    const admin = createKafka(p.config, 'quality-test-admin').admin();
    await admin.connect();
    try {
      await waitFor(async () => (await admin.fetchTopicOffsets(p.config.topics.dlq)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0) >= bad.length, { timeoutMs: 60_000, intervalMs: 250, what: `${bad.length} DLQ records` });
    } finally {
      await admin.disconnect();
    }
  }, 300_000);

  afterAll(async () => {
    await fn?.shutdown();
    await results?.close();
    redis?.disconnect();
    await p?.close();
  });

  it('the stream has duplicates, conflicts and bad events of several reasons', () => {
    expect(messages.filter((m) => m.kind === 'duplicate').length).toBeGreaterThan(20);
    expect(Object.keys(expectedDlq).length).toBeGreaterThanOrEqual(5);
    expect(expectedDlq.conflict).toBeGreaterThan(0);
  });

  it('GET before the first check is a 404', async () => {
    const r = await call(fn, 'GET');
    expect(r.status).toBe(404);
  });

  it('live KPIs and the batch agree on every field; placement holds; DLQ counted by reason', async () => {
    const r = await call(fn, 'POST');
    expect(r.status).toBe(200);
    const q = r.body as QualityCheckReport;
    expect(q.details).toEqual([]);
    expect(q).toMatchObject({ mismatches: 0, settled: true, engine: 'duckdb', orders_hot: accepted.length, orders_archived: 0, duplicates_archived: 0, in_both: 0 });
    // 6 summary fields, 2 per state and per method, 2 placement checks
    const states = new Set(accepted.map((e) => e.customer.state)).size;
    const methods = new Set(accepted.map((e) => e.payment.method)).size;
    expect(q.checked_fields).toBe(6 + 2 * states + 2 * methods + 2);
    expect(q.dlq_by_reason).toEqual(expectedDlq);
    expect(q.dlq_records).toBe(bad.length);
    // saved whole; GET answers it; the fresh batch run was saved as the history too
    expect(await results.loadQuality()).toEqual(q);
    expect((await call(fn, 'GET')).body).toEqual(q);
    expect((await results.loadHistory())?.summary.orders).toBe(accepted.length);
  }, 120_000);

  it('a batch half moved (orders in the hot store and the archive) is no mismatch while each order is counted once', async () => {
    archived = (await readHotRows(p.config)).slice(0, 200);
    try {
      const q = (await call(fn, 'POST')).body as QualityCheckReport;
      expect(q).toMatchObject({ mismatches: 0, orders_hot: accepted.length, orders_archived: 200, in_both: 200 });
      archived = [...archived, archived[0]!];
      const dup = (await call(fn, 'POST')).body as QualityCheckReport;
      expect(dup.details).toEqual([{ field: 'placement.duplicates_archived', live: 0, batch: 1 }]);
    } finally {
      archived = [];
    }
  }, 120_000);

  it('a KPI made wrong on purpose is reported as a mismatch naming the field', async () => {
    const key = `${p.config.kpiPrefix}views:summary`;
    const served = JSON.parse((await redis.get(key))!) as SummaryView;
    await redis.set(key, JSON.stringify({ ...served, revenue: Math.round((served.revenue + 1.23) * 100) / 100 }));
    const q = (await call(fn, 'POST')).body as QualityCheckReport;
    expect(q.mismatches).toBe(1);
    expect(q.details).toEqual([{ field: 'summary.revenue', live: Math.round((served.revenue + 1.23) * 100) / 100, batch: served.revenue }]);
    expect((await results.loadQuality())?.mismatches).toBe(1);
  }, 120_000);

  it('Kafka down: the DLQ read fails with a DependencyError naming Kafka, within its time bound', async () => {
    const t0 = Date.now();
    const down = createKafka(loadConfig({ KAFKA_BROKERS: '127.0.0.1:1' }), 'quality-test-down');
    const err = await readDlqCounts(down, 'orders.dlq', { timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).message).toMatch(/^kafka: .*npm run stack/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 20_000);
});
