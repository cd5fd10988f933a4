/**
 * End to end through the real runtime (gateway + ingest function process + Kafka connector,
 * dev/local/pipeline.ts) on the real stack: produce N valid and B bad events while the pipeline
 * runs, SIGKILL the ingest process twice mid-stream (the supervisor restarts it; the connector
 * redelivers what was not acknowledged), and check that exactly N facts exist, no order twice, every bad message reached
 * the DLQ with its reason, and every accepted order_id reached orders.accepted.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Producer } from 'kafkajs';
import { loadConfig, ROOT } from '../shared/platform/config.ts';
import type { DlqRecord } from '../shared/contract/types.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { createLogger } from '../shared/platform/log.ts';
import { COLLECTIONS, connectMongo, type MongoHandle } from '../shared/adapters/mongo.ts';
import { startPipeline, type Pipeline } from '../dev/local/pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import type { RawMessage } from './corpus/batch.ts';
import { createTopic, deleteTopics, produceRaw, readRecords, suffix, topicSize } from './corpus/kafka-io.ts';

const config = loadConfig();
const id = suffix();
const dbName = `ingest_kill_${id}`;
const topics = { orders: `ingest-kill-${id}-orders`, dlq: `ingest-kill-${id}-dlq`, accepted: `ingest-kill-${id}-accepted` };
const dir = path.join(config.localDir, 'tmp', `ingest-kill-${id}`);
const kafka = createKafka(config, `ingest-kill-${id}`);
let admin: Admin;
let producer: Producer;
let mongo: MongoHandle;
let pipeline: Pipeline | undefined;

const N = 12_000;
const BAD = 60;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topics.orders, 4);
  await createTopic(admin, topics.dlq, 1);
  await createTopic(admin, topics.accepted, 4);
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  mongo = await connectMongo(config, dbName);
  mkdirSync(dir, { recursive: true });
});

afterAll(async () => {
  await pipeline?.stop().catch(() => undefined);
  await mongo?.db.dropDatabase().catch(() => undefined);
  await mongo?.close().catch(() => undefined);
  await deleteTopics(admin, Object.values(topics)).catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('ingest under SIGKILL (gateway + connector + function process)', () => {
  it('kills the ingest process mid-stream twice: exactly N facts, every bad event on the DLQ', async () => {
    const g = createGenerator({ seed: 31337, start: '2024-05-01T00:00:00Z', eventRate: 300 });
    const valid: RawMessage[] = Array.from({ length: N }, () => {
      const e = g.next();
      return { key: e.order_id, bytes: encodeEventBuffer(e) };
    });
    const bad: RawMessage[] = Array.from({ length: BAD }, (_, i) => ({ key: `bad-${i}`, bytes: i % 2 === 0 ? valid[i]!.bytes.subarray(0, 40 + i) : Buffer.from(`{"order_id":"bad-${i}","quantity":"many"}`) }));
    // Spread the bad ones through the stream.
    const all: RawMessage[] = [];
    valid.forEach((m, i) => {
      all.push(m);
      if (i % 200 === 0 && i / 200 < BAD) all.push(bad[i / 200]!);
    });
    expect(all.length).toBe(N + BAD);

    const stackFile = path.join(dir, 'stack.yml');
    writeFileSync(
      stackFile,
      [
        'version: 1.0',
        'provider:',
        '  name: openfaas',
        '  gateway: http://127.0.0.1:8080',
        'functions:',
        '  ingest:',
        '    lang: node24-ts',
        `    handler: ${path.join(ROOT, 'functions', 'ingest')}`,
        '    image: orderpulse/ingest:test',
        '    annotations:',
        `      topic: ${topics.orders}`,
        '      orderpulse.dev/delivery: batch',
        '      orderpulse.dev/batch-max-messages: "400"',
        '    environment:',
        '      exec_timeout: 60s',
        '',
      ].join('\n'),
    );
    const facts = mongo.db.collection(COLLECTIONS.fact);
    pipeline = await startPipeline({
      stackFile,
      env: { MONGO_DB: dbName, TOPIC_ORDERS: topics.orders, TOPIC_DLQ: topics.dlq, TOPIC_ACCEPTED: topics.accepted, LOG_LEVEL: 'warn' },
      gatewayPort: 0,
      kafka: { groupPrefix: `ingest-kill-${id}-`, ensureStandardTopics: false, backoff: { initialMs: 100, maxMs: 1000 } },
      cron: false,
      dashboard: false,
      restartBackoff: { initialMs: 100, maxMs: 500 },
      log: createLogger({ test: 'ingest-sigkill' }).child({ component: 'pipeline' }),
    });

    // Produce while the pipeline runs, and SIGKILL the busy ingest process at 1/3 and 2/3 of the
    // stream: more events keep coming after each kill, and an in-flight batch is cut off.
    const kills: { afterProduced: number; pid: number }[] = [];
    const chunk = 300;
    // Keep at most `window` messages unacknowledged: the stream lasts as long as the pipeline
    // needs for it, so each kill cuts a busy process with more events still to come.
    const window = 4 * chunk;
    const ingested = (): number => pipeline?.kafka?.stats().ingest?.messages ?? 0;
    let acknowledged = 0;
    for (let i = 0; i < all.length; i += chunk) {
      await produceRaw(producer, topics.orders, all.slice(i, i + chunk));
      const produced = Math.min(i + chunk, all.length);
      if (kills.length < 2 && produced >= ((kills.length + 1) * all.length) / 3) {
        // The (restarted) process must have acknowledged at least one batch since the last kill.
        const before = acknowledged;
        await waitFor(() => (acknowledged = ingested()) > before, { timeoutMs: 120_000, intervalMs: 250, what: 'ingest acknowledging batches' });
        await waitFor(() => pipeline!.pids().ingest != null, { timeoutMs: 30_000, intervalMs: 250, what: 'a running ingest process' });
        const pid = pipeline.pids().ingest!;
        process.kill(pid, 'SIGKILL');
        kills.push({ afterProduced: produced, pid });
      }
      await waitFor(() => ingested() >= produced - window, { timeoutMs: 120_000, intervalMs: 50, what: `ingest within ${window} messages of the ${produced} produced` });
    }
    expect(kills.map((k) => k.afterProduced < all.length)).toEqual([true, true]); // really mid-stream

    await waitFor(async () => (await facts.countDocuments()) >= N && (await topicSize(admin, topics.dlq)) >= BAD, { timeoutMs: 300_000, intervalMs: 250, what: 'all facts and all DLQ records' });
    // Wait until the connector acknowledged every message of every partition (no redelivery left
    // in flight), then check nothing changed.
    await waitFor(
      async () => {
        const acked = pipeline!.kafka?.stats().ingest?.lastOffsets ?? {};
        const ends = await admin.fetchTopicOffsets(topics.orders);
        return ends.every((e) => Number(e.high) === 0 || acked[`${topics.orders}:${e.partition}`] === String(Number(e.high) - 1));
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `every message of ${topics.orders} acknowledged by the connector` },
    );
    expect(await facts.countDocuments()).toBe(N);
    expect((await facts.distinct('order_id')).length).toBe(N);
    expect(await facts.countDocuments({ payment_attrs: { $exists: true } })).toBe(N); // payments are on the fact (no payments_dim rows)
    expect(pipeline.pids().ingest).not.toBe(kills[1]!.pid); // restarted
    // Cut-off invocations were retried by the connector (redelivery, not loss).
    expect(pipeline.kafka?.stats().ingest?.retries ?? 0).toBeGreaterThan(0);

    // DLQ: at-least-once; every bad message is there (a redelivered batch may repeat some).
    const dlq = await readRecords(kafka, topics.dlq, { expected: await topicSize(admin, topics.dlq), timeoutMs: 60_000 });
    const recs = dlq.map((r) => JSON.parse(r.value.toString()) as DlqRecord);
    const badKeys = new Set(recs.map((r) => r.source.key));
    expect(badKeys).toEqual(new Set(bad.map((b) => b.key)));
    for (const r of recs) expect(['invalid_json', 'schema']).toContain(r.reason);

    const acc = await readRecords(kafka, topics.accepted, { expected: await topicSize(admin, topics.accepted), timeoutMs: 60_000 });
    expect(new Set(acc.map((r) => r.key)).size).toBe(N);
  }, 600_000);
});
