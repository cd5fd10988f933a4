/**
 * The DuckDB engine's incremental hot rows on the REAL services (Kafka, FerretDB, a local
 * archive): the hot store scanned at the first run, then the orders accepted since read from a
 * Kafka topic of the test's own (canonical events, as ingest sends them, duplicates and a bad
 * message included), orders moved by the real archive-move core subtracted, and every field
 * compared with an independent fold over the facts after each step. Own database, topic and
 * archive folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { createKafka, createSink, ensureTopics, type KafkaSink } from '../shared/adapters/kafka.ts';
import { COLLECTIONS } from '../shared/adapters/mongo.ts';
import { canonicalJson } from '../shared/contract/canonical.ts';
import type { FactDoc } from '../shared/contract/order.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { createStorage } from '../shared/archive/adapters/factory.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { runMove } from '../shared/archive/move.ts';
import { fixtureOf } from '../shared/archive/testing/generated.ts';
import { seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import type { DuckDbEngine } from '../shared/analytics/adapters/duckdb-engine.ts';
import { openEngine } from '../shared/analytics/adapters/open.ts';
import { QUERIES } from '../shared/analytics/queries.ts';
import { toResult } from '../shared/analytics/results.ts';
import type { AnalyticsResult } from '../shared/analytics/types.ts';
import { comparable, expectedAnalytics } from './analytics-expected.ts';

const log = createLogger({ test: 'analytics-incremental.int' }, () => undefined);
class Crash extends Error {}

describe('DuckDB incremental hot rows: hot-store scan, then the accepted-orders topic', () => {
  const id = randomBytes(4).toString('hex');
  const topic = `test.analytics.accepted.${id}`;
  const dbName = testDbName('analytics_inc');
  const gen = createGenerator({ seed: 31, start: '2026-02-01T00:00:00Z', eventRate: 0.01 });
  const at = new Date();
  /** Every order stored so far (the fold's input). */
  const stored: FactDoc[] = [];
  let dir: string;
  let config: Config;
  let rt: ArchiveRuntime;
  let sink: KafkaSink;
  let engine: DuckDbEngine | undefined;
  const kafka = createKafka(loadConfig(), `analytics-inc-${id}`, log);
  const admin = kafka.admin();

  /** `n` new orders as ingest stores them: facts (and dimensions) into the hot store, then their events onto the topic. */
  async function accept(n: number, opts: { send?: boolean } = {}): Promise<OrderEvent[]> {
    const events = Array.from({ length: n }, () => gen.next());
    const fixtures = events.map((ev) => fixtureOf(ev, at));
    await seedHotStore(rt.mongo.db, fixtures);
    stored.push(...fixtures.map((f) => f.fact));
    if (opts.send !== false) await sink.send(topic, events.map((ev) => ({ key: ev.order_id, value: canonicalJson(ev) })));
    return events;
  }

  async function run(scan = false): Promise<AnalyticsResult> {
    return toResult('duckdb', await engine!.run(QUERIES, undefined, { scanHotStore: scan }), 0);
  }

  const hotCount = () => rt.mongo.db.collection(COLLECTIONS.fact).countDocuments();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'op-analytics-inc-'));
    const archiveUrl = `file://${dir}`;
    config = loadConfig({ ...process.env, MONGO_DB: dbName, ARCHIVE_URL: archiveUrl, HIVE_METASTORE_URI: '', TOPIC_ACCEPTED: topic, ANALYTICS_HOT_READ: 'incremental', ANALYTICS_FULL_EVERY: '0' });
    const storage = createStorage({ ...config, archiveUrl }).storage;
    rt = await openArchiveRuntime(config, { dbName, log, backends: { storage, catalog: new LocalCatalog(path.join(dir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } } });
    await admin.connect();
    await ensureTopics(admin, [{ topic, partitions: 3 }]);
    sink = await createSink(kafka);
  });

  afterAll(async () => {
    await engine?.close();
    await sink?.close().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await rt?.mongo.db.dropDatabase().catch(() => undefined);
    await rt?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the first run scans the hot store; orders sent before it are not counted twice', async () => {
    await accept(800); // stored and on the topic before the engine exists: the scan has them
    engine = openEngine(config, log) as DuckDbEngine;
    const r = await run();
    expect(comparable(r)).toEqual(expectedAnalytics(stored, { orders_hot: 800, orders_archived: 0, duplicates_archived: 0, in_both: 0 }));
    expect(engine.lastStats).toMatchObject({ hot_read: 'scan', scan_reason: 'start', hot_scanned: 800, hot_rows: 800 });
  });

  it('later runs take the new orders from the topic: redelivered events once, a bad message skipped', async () => {
    const events = await accept(200);
    // a redelivered ingest batch sends the same orders again; and one message that is not an order
    await sink.send(topic, events.slice(0, 50).map((ev) => ({ key: ev.order_id, value: canonicalJson(ev) })));
    await sink.send(topic, [{ key: 'x', value: '{"not":"an order"}' }]);
    const r = await run();
    expect(comparable(r)).toEqual(expectedAnalytics(stored, { orders_hot: 1000, orders_archived: 0, duplicates_archived: 0, in_both: 0 }));
    expect(engine!.lastStats).toMatchObject({ hot_read: 'feed', hot_scanned: 0, feed_rows: 250, feed_invalid: 1, hot_rows: 1000 });
  });

  it('orders archive-move wrote to the archive count from there: a finished and a half-moved batch, each order once', async () => {
    expect(await runMove(rt.moveDeps(), { orders: 300, maxBatch: 300 })).toMatchObject({ status: 'done', moved: 300 });
    const stopAfterRegistered = {
      afterStep: (b: { step: string }) => {
        if (b.step === 'registered') throw new Crash('stopped after registered');
      },
    };
    await expect(runMove(rt.moveDeps(), { orders: 100, maxBatch: 100, hooks: stopAfterRegistered })).rejects.toBeInstanceOf(Crash);
    expect(await hotCount()).toBe(700); // the half-moved 100 are still in the hot store too
    await accept(40);

    // Feed run: placement derived (live rows minus archived ids), totals exact.
    const r = await run();
    expect(comparable(r)).toEqual(expectedAnalytics(stored, { orders_hot: 640, orders_archived: 400, duplicates_archived: 0, in_both: 0 }));
    expect(engine!.lastStats).toMatchObject({ hot_read: 'feed', feed_rows: 40, archive_files_loaded: engine!.lastStats!.archive_files });

    // A scan on request measures placement: the half-moved batch is in both places.
    const measured = await run(true);
    expect(comparable(measured)).toEqual(expectedAnalytics(stored, { orders_hot: 740, orders_archived: 400, duplicates_archived: 0, in_both: 100 }));
    expect(engine!.lastStats).toMatchObject({ hot_read: 'scan', scan_reason: 'asked', hot_scanned: 740 });

    // The move finishes; the feed (placed by that scan) goes on.
    expect(await runMove(rt.moveDeps(), { orders: 0 })).toMatchObject({ status: 'done', moved: 100 });
    await accept(10);
    const after = await run();
    expect(comparable(after)).toEqual(expectedAnalytics(stored, { orders_hot: 650, orders_archived: 400, duplicates_archived: 0, in_both: 0 }));
    expect(engine!.lastStats).toMatchObject({ hot_read: 'feed', feed_rows: 10 });
  });

  it('a fact stored without its accepted event is seen at the next scan (ANALYTICS_FULL_EVERY, a restart, or scan on request)', async () => {
    await accept(5, { send: false });
    const missed = await run();
    expect(missed.summary.orders).toBe(stored.length - 5);
    // A restarted process starts with a scan.
    await engine!.close();
    engine = openEngine(config, log) as DuckDbEngine;
    const r = await run();
    expect(comparable(r)).toEqual(expectedAnalytics(stored, { orders_hot: 655, orders_archived: 400, duplicates_archived: 0, in_both: 0 }));
    expect(engine.lastStats).toMatchObject({ hot_read: 'scan', scan_reason: 'start' });
  });

  it('ANALYTICS_FULL_EVERY=N scans again after N feed runs', async () => {
    await engine!.close();
    engine = openEngine(loadConfig({ ...process.env, MONGO_DB: dbName, ARCHIVE_URL: `file://${dir}`, HIVE_METASTORE_URI: '', TOPIC_ACCEPTED: topic, ANALYTICS_FULL_EVERY: '2' }), log) as DuckDbEngine;
    const reads: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      await run();
      reads.push(engine.lastStats!.scan_reason ?? engine.lastStats!.hot_read);
    }
    expect(reads).toEqual(['start', 'feed', 'feed', 'every']);
    expect((await run()).summary.orders).toBe(stored.length);
  });
});
