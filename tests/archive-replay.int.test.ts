/**
 * Every order in exactly one place, for ever (issue 9, items 4 and 5), on the real Kafka, FerretDB
 * and Redis with a local archive: events through ingest (one batch redelivered) and the KPI
 * aggregate; the ingest invariant on independent counts (produced to Kafka = facts in the store +
 * the duplicates we produced + DLQ records deduplicated by their source headers); archive
 * everything; replay `orders` from offset 0 through ingest and `orders.accepted` through the
 * aggregate; archive again. Then: one archive row per order_id, the hot store holds none of them,
 * the registry holds each once, KPIs unchanged. Own database, topics, archive folder and prefix.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { addCounts, emptyCounts } from '../shared/ingest/counts.ts';
import { ingestBatch, type IngestDeps } from '../shared/ingest/ingest.ts';
import { dlqSourceOfHeaders } from '../shared/ingest/messages.ts';
import { createMongoStore } from '../shared/ingest/adapters/mongo-store.ts';
import type { IngestCounts } from '../shared/ingest/types.ts';
import { createKafka, createSink, type KafkaSink } from '../shared/adapters/kafka.ts';
import { assertSchema, COLLECTIONS, connectMongo, ensureSchema, type MongoHandle } from '../shared/adapters/mongo.ts';
import { aggregate } from '../shared/kpi/aggregate.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { runMove } from '../shared/archive/move.ts';
import { readArchivedOrders } from '../shared/archive/reader.ts';
import { backfillArchiveMarks } from '../shared/archive/adapters/backfill-marks.ts';
import { RecordingSink, type RawMessage } from './corpus/batch.ts';
import { buildFact } from '../shared/ingest/documents.ts';
import { canonicalJson, sha256Hex } from '../shared/contract/canonical.ts';
import { createTopic, deleteTopics, produceRaw, readBatches, readRecords, suffix, topicSize } from './corpus/kafka-io.ts';

const config = loadConfig();
const run = suffix();
const log = createLogger({ test: 'archive-replay' }, () => undefined);
const kafka: Kafka = createKafka(config, `archive-replay-${run}`);
const topics = { orders: `archive-replay-${run}-orders`, dlq: `archive-replay-${run}-dlq`, accepted: `archive-replay-${run}-accepted` };
const prefix = `test:replay:${run}:`;
let admin: Admin;
let producer: Producer;
let sink: KafkaSink;
let mongo: MongoHandle;
let rt: ArchiveRuntime;
let kpi: RedisKpiStore;
let dir: string;
let deps: IngestDeps;

const N = 1200;
const DUPLICATES = 40; // exact copies of valid events (same bytes)
const CONFLICTS = 10; // an existing order_id with other content
const INVALID = 30;

function workload(): { messages: RawMessage[]; events: OrderEvent[] } {
  const g = createGenerator({ seed: 909, start: '2024-05-01T00:00:00Z', eventRate: 50 });
  const events = Array.from({ length: N }, () => g.next());
  const raw = (e: unknown, key: string): RawMessage => ({ key, bytes: Buffer.from(JSON.stringify(e)) });
  const messages: RawMessage[] = events.map((e) => ({ key: e.order_id, bytes: encodeEventBuffer(e) }));
  for (let i = 0; i < DUPLICATES; i++) messages.push({ ...messages[i * 7]! });
  for (let i = 0; i < CONFLICTS; i++) {
    const e = events[i * 11 + 3]!;
    messages.push(raw({ ...e, order_status: e.order_status === 'cancelled' ? 'completed' : 'cancelled' }, e.order_id));
  }
  for (let i = 0; i < INVALID; i++) {
    const e = events[i]!;
    messages.push(i % 3 === 0 ? { key: e.order_id, bytes: Buffer.from('{"order_id":') } : raw({ ...e, quantity: -i }, e.order_id));
  }
  return { messages, events };
}

async function ingestTopic(redeliverFirst: boolean): Promise<IngestCounts> {
  const batches = await readBatches(kafka, topics.orders, { expected: N + DUPLICATES + CONFLICTS + INVALID, timeoutMs: 60_000, maxBatch: 300 });
  const total = emptyCounts();
  for (const b of batches) addCounts(total, (await ingestBatch(b, deps)).counts);
  // A crash after the batch was handled, before its offsets were committed: delivered again.
  if (redeliverFirst) addCounts(total, (await ingestBatch(batches[0]!, deps)).counts);
  return total;
}

/** Feed all of orders.accepted (from offset 0) through the aggregate, redelivering its first batch. */
async function aggregateAccepted(): Promise<number> {
  const batches = await readBatches(kafka, topics.accepted, { expected: await topicSize(admin, topics.accepted), timeoutMs: 60_000, maxBatch: 250 });
  let applied = 0;
  const aggDeps = { store: kpi, notify: async () => undefined, countInvalid: (s: readonly string[]) => kpi.countInvalid(s), log };
  for (const b of batches) applied += (await aggregate(b.messages, aggDeps)).applied;
  applied += (await aggregate(batches[0]!.messages, aggDeps)).applied;
  return applied;
}

async function archivedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of readArchivedOrders(rt.backends.storage)) ids.push(r.order_id);
  return ids;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  sink = await createSink(kafka);
  await createTopic(admin, topics.orders, 4);
  await createTopic(admin, topics.dlq, 1);
  await createTopic(admin, topics.accepted, 4);
  mongo = await connectMongo(config, `archive_replay_${run}`);
  await ensureSchema(mongo.db);
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-archive-replay-'));
  rt = await openArchiveRuntime(config, {
    dbName: mongo.db.databaseName,
    log,
    backends: { storage: new LocalStorage(dir), catalog: new LocalCatalog(path.join(dir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } },
  });
  kpi = RedisKpiStore.open(config.redisUrl, prefix, `archive-replay-${run}`);
  deps = { store: createMongoStore(mongo.db), sink, topics: { dlq: topics.dlq, accepted: topics.accepted }, maxEventBytes: config.maxEventBytes, log };
}, 60_000);

afterAll(async () => {
  await kpi?.deleteAll().catch(() => undefined);
  await kpi?.close().catch(() => undefined);
  await rt?.close().catch(() => undefined);
  await mongo?.db.dropDatabase().catch(() => undefined);
  await mongo?.close().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
  await deleteTopics(admin, Object.values(topics)).catch(() => undefined);
  await sink?.close().catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
});

describe('archive, replay from offset 0, archive again', () => {
  it('one archive row per order_id, hot store empty of them, KPIs unchanged; the ingest invariant holds on independent counts', async () => {
    const { messages, events } = workload();
    const ids = new Set(events.map((e) => e.order_id));
    const produced = await produceRaw(producer, topics.orders, messages);
    expect(produced).toBe(N + DUPLICATES + CONFLICTS + INVALID);
    await assertSchema(mongo.db); // the set-up step ran: unique index and registry backfill marker

    // 1. Ingest (first batch redelivered), then the KPIs.
    const first = await ingestTopic(true);
    const facts = mongo.db.collection(COLLECTIONS.fact);
    const registry = mongo.db.collection(COLLECTIONS.registry);
    const acceptedInStore = await facts.countDocuments();
    expect(acceptedInStore).toBe(N);
    expect(await registry.countDocuments()).toBe(N);

    // Item 5: the invariant on independent counts. DLQ from what was written, by source offset.
    const dlqRecords = await readRecords(kafka, topics.dlq, { expected: first.received - first.accepted - first.duplicates, timeoutMs: 60_000 });
    const sources = dlqRecords.map((r) => dlqSourceOfHeaders(r.headers));
    expect(sources.every((s) => s !== null && s.startsWith(`${topics.orders}/`))).toBe(true);
    const dlqDistinct = new Set(sources).size;
    expect(dlqRecords.length).toBeGreaterThanOrEqual(dlqDistinct); // the redelivery may repeat some
    expect(dlqDistinct).toBe(CONFLICTS + INVALID);
    expect(produced).toBe(acceptedInStore + DUPLICATES + dlqDistinct);

    expect(await aggregateAccepted()).toBe(N);
    const kpisBefore = JSON.stringify(await kpi.snapshot());

    // 2. Archive everything.
    const move1 = await runMove(rt.moveDeps(), { orders: 10 * N, maxBatch: 500 });
    expect(move1.moved).toBe(N);
    expect(await facts.countDocuments()).toBe(0);

    // 3. Replay `orders` from offset 0: every valid event is a duplicate (or conflict); nothing inserted.
    const replay = await ingestTopic(false);
    expect(replay).toMatchObject({ accepted: 0, duplicates: N + DUPLICATES, conflicts: CONFLICTS });
    expect(await facts.countDocuments()).toBe(0);
    expect(await registry.countDocuments()).toBe(N);
    // …and the KPI path from offset 0 again (the replay handed every order on once more).
    expect(await aggregateAccepted()).toBe(0);
    expect(JSON.stringify(await kpi.snapshot())).toBe(kpisBefore);

    // 4. Belt and braces: a fact back in the hot store behind the registry's back (a store set
    // up before the registry, or a race) is not archived twice, only removed.
    const again = events.slice(0, 5).map((e) => e.order_id);
    const back = await archivedRowsAsFacts(again);
    await facts.insertMany(back);

    // 5. Archive again.
    const move2 = await runMove(rt.moveDeps(), { orders: 10 * N, maxBatch: 500 });
    expect(move2.moved).toBe(0);
    expect(await facts.countDocuments()).toBe(0);

    const archived = await archivedIds();
    expect(archived).toHaveLength(N);
    expect(new Set(archived)).toEqual(ids);
    expect(await mongo.db.collection(COLLECTIONS.archivedIds).countDocuments()).toBe(N);
  }, 300_000);
});

describe('migration: a store set up before the registry', () => {
  it('the set-up step backfills the registry once (idempotent); ingest refuses a store without it', async () => {
    const h = await connectMongo(config, `archive_replay_mig_${run}`);
    try {
      const g = createGenerator({ seed: 5, start: '2024-05-01T00:00:00Z', eventRate: 50 });
      const events = Array.from({ length: 300 }, () => g.next());
      // The old schema: facts with the unique index, no registry, no marker.
      await h.db.collection(COLLECTIONS.fact).createIndex({ order_id: 1 }, { name: 'order_id_unique', unique: true });
      const store = createMongoStore(h.db);
      await store.insertFacts(events.map((e) => buildFact(e, Date.parse(e.order_timestamp), sha256Hex(canonicalJson(e)), new Date())));
      await expect(assertSchema(h.db)).rejects.toThrow(/npm run setup/);
      await ensureSchema(h.db);
      await assertSchema(h.db);
      const reg = await h.db.collection<{ _id: string; content_hash: string }>(COLLECTIONS.registry).find({}).toArray();
      expect(new Map(reg.map((r) => [r._id, r.content_hash]))).toEqual(new Map(events.map((e) => [e.order_id, sha256Hex(canonicalJson(e))])));
      await ensureSchema(h.db); // again: nothing to do
      expect(await h.db.collection(COLLECTIONS.registry).countDocuments()).toBe(300);
      // A replay of those orders is a duplicate, not an insert.
      const r = await ingestBatch(
        { topic: 'orders', partition: 0, messages: events.map((e, i) => ({ topic: 'orders', partition: 0, offset: String(i), key: Buffer.from(e.order_id), value: encodeEventBuffer(e), timestamp: '0', headers: [] })) },
        { ...deps, store, sink: new RecordingSink() },
      );
      expect(r.counts).toMatchObject({ accepted: 0, duplicates: 300 });
    } finally {
      await h.db.dropDatabase().catch(() => undefined);
      await h.close();
    }
  }, 120_000);
});

describe('migration: an archive written before the registry', () => {
  it('setup --backfill-archive marks and registers every archived order once; a replay of them then inserts nothing', async () => {
    const h = await connectMongo(config, `archive_replay_arch_${run}`);
    try {
      await ensureSchema(h.db); // a store that knows none of the archived orders
      const first = await backfillArchiveMarks(h.db, rt.backends.storage);
      expect(first).toEqual({ ran: true, rows: N, marked: N, registered: N });
      expect(await backfillArchiveMarks(h.db, rt.backends.storage)).toMatchObject({ ran: false });
      const { events } = workload();
      const store = createMongoStore(h.db);
      const r = await ingestBatch(
        { topic: 'orders', partition: 0, messages: events.slice(0, 200).map((e, i) => ({ topic: 'orders', partition: 0, offset: String(i), key: Buffer.from(e.order_id), value: encodeEventBuffer(e), timestamp: '0', headers: [] })) },
        { ...deps, store, sink: new RecordingSink() },
      );
      expect(r.counts).toMatchObject({ accepted: 0, duplicates: 200 });
      expect(await h.db.collection(COLLECTIONS.fact).countDocuments()).toBe(0);
    } finally {
      await h.db.dropDatabase().catch(() => undefined);
      await h.close();
    }
  }, 120_000);
});

/** Minimal fact documents of already archived orders (what a pre-registry replay would have re-inserted). */
async function archivedRowsAsFacts(orderIds: string[]): Promise<Record<string, unknown>[]> {
  const want = new Set(orderIds);
  const out: Record<string, unknown>[] = [];
  for await (const r of readArchivedOrders(rt.backends.storage)) {
    if (!want.has(r.order_id)) continue;
    const { batch_id: _b, dt: _d, ...rest } = r as unknown as Record<string, unknown>;
    out.push({ ...rest, order_timestamp: new Date(r.order_timestamp as unknown as string | Date) });
  }
  expect(out).toHaveLength(orderIds.length);
  return out;
}
