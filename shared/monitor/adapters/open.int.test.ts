/**
 * The monitor's adapters on the REAL Kafka, FerretDB and a local archive directory: exact lag of
 * the test's own consumer groups per partition, the hot store's order count, the archive's files.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { createKafka, ensureTopics } from '../../adapters/kafka.ts';
import { connectMongo } from '../../adapters/mongo.ts';
import { buildFacts } from '../../archive/testing/facts.ts';
import { seedHotStore, testDbName } from '../../archive/testing/seed.ts';
import { readMonitor } from '../monitor.ts';
import { openMonitorRuntime, type MonitorRuntime } from './open.ts';

const sfx = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `monitor-int-${sfx}`;
const prefix = `monitor-int-${sfx}-`;
const dbName = testDbName('monitor');
const log = createLogger({ test: 'monitor.int' }, () => undefined);
let dir: string;
let rt: MonitorRuntime;
const config0 = loadConfig();
const kafka = createKafka(config0, 'monitor-int-test');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-monitor-'));
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, partitions: 2 }]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `m${i}` })) });
  await producer.disconnect();
  // One group read 3 of partition 0's 5 messages and none of partition 1; another read everything.
  await admin.setOffsets({ groupId: `${prefix}ingest`, topic, partitions: [{ partition: 0, offset: '3' }] });
  await admin.setOffsets({ groupId: `${prefix}aggregate`, topic, partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '5' }] });
  await admin.disconnect();
  const mongo = await connectMongo(config0, dbName);
  await seedHotStore(mongo.db, buildFacts(25, { seed: 3 }));
  await mongo.close();
  await mkdir(path.join(dir, 'orders_fact', 'dt=2026-01-01'), { recursive: true });
  await writeFile(path.join(dir, 'orders_fact', 'dt=2026-01-01', 'part-x.parquet'), Buffer.alloc(1234));
  rt = openMonitorRuntime(loadConfig({ ...process.env, MONGO_DB: dbName, ARCHIVE_URL: `file://${dir}` }), log);
}, 60_000);

afterAll(async () => {
  await rt?.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([`${prefix}ingest`, `${prefix}aggregate`]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  const mongo = await connectMongo(config0, dbName);
  await mongo.db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await rm(dir, { recursive: true, force: true });
});

describe('monitor on the real services', () => {
  it('reads lag per group and partition, the hot store and the archive', async () => {
    const r = await readMonitor(rt.deps, { groupPrefix: prefix });
    expect(r.kafka.error).toBeUndefined();
    expect(r.kafka.groups).toEqual([
      { group: `${prefix}aggregate`, topic, lag: 0, partitions: [{ partition: 0, end: 5, committed: 5, lag: 0 }, { partition: 1, end: 5, committed: 5, lag: 0 }] },
      { group: `${prefix}ingest`, topic, lag: 7, partitions: [{ partition: 0, end: 5, committed: 3, lag: 2 }, { partition: 1, end: 5, committed: null, lag: 5 }] },
    ]);
    expect(r.kafka.total_lag).toBe(7);
    expect(r.hot_store.orders).toBe(25);
    expect(r.hot_store.size_mb).toBeGreaterThan(0);
    expect(r.archive).toEqual({ location: `file://${dir}`, partitions: 1, files: 1, bytes: 1234 });
  });

  it('reports an unreachable hot store as an error of that part only', async () => {
    const bad = openMonitorRuntime(loadConfig({ ...process.env, MONGO_URL: 'mongodb://127.0.0.1:1/', ARCHIVE_URL: `file://${dir}` }), log);
    try {
      const r = await readMonitor({ ...bad.deps, kafka: rt.deps.kafka }, { groupPrefix: prefix });
      expect(r.hot_store.error).toMatch(/cannot connect to mongodb:\/\/127\.0\.0\.1:1\/.*npm run stack/);
      expect(r.kafka.total_lag).toBe(7);
    } finally {
      await bad.close();
    }
  }, 30_000);
});
