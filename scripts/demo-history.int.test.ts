/**
 * The demo's history phase on the real pipeline (Kafka, ingest, aggregate, cache-write and
 * archive-move as function processes behind the local gateway; FerretDB, Redis; a local archive
 * directory), on the test's own topics, database, KPI prefix and archive folder.
 */
import { readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, COLLECTIONS } from '../shared/adapters/mongo.ts';
import { createLogger } from '../shared/platform/log.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import type { MinuteRow, SummaryView } from '../shared/kpi/types.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { FUNCTIONS, startKpiPipeline, type KpiPipeline } from '../tests/kpi-pipeline.ts';
import { loadHistory, type HistoryResult } from './demo-history.ts';
import { DAY_MS } from './demo-history-plan.ts';

let kp: KpiPipeline;
let archiveDir: string;
const log = createLogger({ test: 'demo-history' }, () => undefined);
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  process.env.HIVE_METASTORE_URI = ''; // the embedded local catalog next to the test's archive folder
  kp = await startKpiPipeline('demohist', { quiet: true, functions: [...FUNCTIONS, 'archive-move'] });
  archiveDir = fileURLToPath(kp.config.archiveUrl);
});

afterAll(async () => {
  await kp?.close();
  if (archiveDir) await rm(archiveDir, { recursive: true, force: true });
});

describe('loadHistory', () => {
  let r: HistoryResult;
  let startedAt: number;

  it('loads about N orders over the past days through the pipeline up to now, and the older ones are archived', async () => {
    startedAt = Date.now();
    r = await loadHistory({ config: kp.config, gatewayUrl: kp.pipeline.gatewayUrl }, { days: 2, orders: 3000, archiveOlderThanDays: 1, seed: 11, liveFlashEveryMinutes: 5, timeoutMs: 120_000 }, log);
    expect(r.status).toBe('loaded');
    expect(r.existing).toBe(0);
    expect(r.orders).toBeGreaterThan(2700);
    expect(r.orders).toBeLessThan(3300);
    expect(r.analytics).toBe('not deployed');
    expect(Date.parse(r.event_time.first ?? '')).toBeGreaterThanOrEqual(startedAt - 2 * DAY_MS - 1000);
    expect(Date.parse(r.event_time.first ?? '')).toBeLessThan(startedAt - 2 * DAY_MS + 3_600_000);
    expect(Date.parse(r.event_time.last ?? '')).toBeGreaterThan(startedAt - 60_000);
    expect(Date.parse(r.event_time.last ?? '')).toBeLessThanOrEqual(Date.now());

    // The KPIs count every history order (none is a duplicate or malformed).
    const summary = await kp.get<SummaryView>('/api/kpis/summary');
    expect(summary.orders).toBe(r.orders);

    // The per-minute chart is full: each of its 60 minutes has orders, the last one is about now.
    const rpm = await kp.get<MinuteRow[]>('/api/kpis/revenue-per-minute');
    expect(rpm).toHaveLength(60);
    expect(rpm.filter((m) => m.orders === 0)).toEqual([]);
    expect(Date.parse(rpm.at(-1)?.minute ?? '')).toBeGreaterThan(startedAt - 2 * 60_000);

    // The older part (orders of more than a day ago) goes to the archive in the background:
    // the hot store keeps exactly the newer ones, the archive has partitions for the older days only.
    expect(r.archived).toBeGreaterThan(r.orders * 0.2);
    expect(r.archived).toBeLessThan(r.orders * 0.6);
    const mongo = await connectMongo(kp.config);
    try {
      const facts = mongo.db.collection(COLLECTIONS.fact);
      await waitFor(async () => (await facts.countDocuments()) === r.orders - r.archived, { timeoutMs: 180_000, intervalMs: 500, what: `archive-move to leave ${r.orders - r.archived} orders in the hot store` });
      const oldestHot = await facts.find({}, { projection: { order_timestamp: 1 } }).sort({ order_timestamp: 1 }).limit(1).next();
      expect(new Date(oldestHot?.order_timestamp as Date).getTime()).toBeGreaterThanOrEqual(startedAt - DAY_MS);
    } finally {
      await mongo.close();
    }
    const catalog = new LocalCatalog(`${archiveDir}/_catalog.json`);
    const dts = (await catalog.listPartitions('orderpulse', 'orders_fact')).map((p) => p.values[0]).sort();
    await catalog.close();
    expect(dts[0]).toBe(day(startedAt - 2 * DAY_MS));
    expect(dts.every((d) => d !== undefined && d <= day(startedAt - DAY_MS))).toBe(true);
    const dirs = (await readdir(`${archiveDir}/orders_fact`)).filter((d) => d.startsWith('dt=')).sort();
    expect(dirs).toEqual(dts.map((d) => `dt=${d}`));
  });

  it('does not load the history again when the KPIs already count orders', async () => {
    const again = await loadHistory({ config: kp.config, gatewayUrl: kp.pipeline.gatewayUrl }, { days: 2, orders: 3000, archiveOlderThanDays: 1, seed: 11 }, log);
    expect(again).toMatchObject({ status: 'skipped', existing: r.orders, orders: 0, archived: 0 });
    expect((await kp.get<SummaryView>('/api/kpis/summary')).orders).toBe(r.orders);
  });
});
