/**
 * Ingest against the real local stack (Kafka + FerretDB/MongoDB; no mocks): seeded events →
 * exactly N facts; the hostile corpus → the DLQ with the right reasons and raw bytes; replay
 * from offset 0 changes nothing; a store failure mid-batch then a redelivery loses and
 * duplicates nothing; the ingest handler end to end with its own clients.
 * Each block uses its own database and topics (random suffix) and removes them afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { loadConfig } from '../shared/platform/config.ts';
import type { DlqRecord, OrderEvent } from '../shared/contract/types.ts';
import { canonicalJson } from '../shared/contract/canonical.ts';
import { DependencyError } from '../shared/platform/errors.ts';
import type { FnContext, FnEvent } from '../shared/platform/fn.ts';
import { KAFKA_BATCH_CONTENT_TYPE } from '../shared/delivery/wire.ts';
import { encodeBatch } from '../shared/delivery/kafka-batch.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { addCounts, dlqTotal, emptyCounts } from '../shared/ingest/counts.ts';
import { createDimCache } from '../shared/ingest/dim-cache.ts';
import { ingestBatch, type IngestDeps } from '../shared/ingest/ingest.ts';
import { DLQ_RAW_MAX_BYTES } from '../shared/ingest/messages.ts';
import { createMongoStore, insertManyIgnoringDuplicates } from '../shared/ingest/adapters/mongo-store.ts';
import type { IngestCounts, IngestStore } from '../shared/ingest/types.ts';
import { createKafka, createSink, type KafkaSink } from '../shared/adapters/kafka.ts';
import { COLLECTIONS, connectMongo, ensureSchema, type MongoHandle } from '../shared/adapters/mongo.ts';
import { createLogger } from '../shared/platform/log.ts';
import { setUp } from '../shared/setup/adapters/open.ts';
import { batchRecord, type RawMessage } from './corpus/batch.ts';
import { buildCorpus } from './corpus/corpus.ts';
import { createTopic, deleteTopics, produceRaw, readBatches, readRecords, suffix, topicSize } from './corpus/kafka-io.ts';

const config = loadConfig();
const run = suffix();
const kafka: Kafka = createKafka(config, `ingest-int-${run}`);
let admin: Admin;
let producer: Producer;
let sink: KafkaSink;
const topicsCreated: string[] = [];
const handles: MongoHandle[] = [];

interface World {
  db: MongoHandle;
  orders: string;
  dlq: string;
  accepted: string;
  deps: IngestDeps;
}

/** A fresh database and topic set. */
async function world(name: string, opts: { ordersPartitions?: number; ordersMaxMessageBytes?: number } = {}): Promise<World> {
  const id = `${name}_${run}`;
  const db = await connectMongo(config, `ingest_int_${id}`);
  handles.push(db);
  await ensureSchema(db.db);
  const orders = `ingest-int-${id}-orders`;
  const dlq = `ingest-int-${id}-dlq`;
  const accepted = `ingest-int-${id}-accepted`;
  await createTopic(admin, orders, opts.ordersPartitions ?? 4, opts.ordersMaxMessageBytes);
  await createTopic(admin, dlq, 1);
  await createTopic(admin, accepted, 4);
  topicsCreated.push(orders, dlq, accepted);
  return { db, orders, dlq, accepted, deps: { store: createMongoStore(db.db), sink, topics: { dlq, accepted }, maxEventBytes: config.maxEventBytes, dimCache: createDimCache() } };
}

function generated(n: number, seed: number): OrderEvent[] {
  const g = createGenerator({ seed, start: '2024-05-01T00:00:00Z', eventRate: 200 });
  return Array.from({ length: n }, () => g.next());
}

const asRaw = (e: OrderEvent): RawMessage => ({ key: e.order_id, bytes: encodeEventBuffer(e) });

async function ingestAll(w: World, batches: Parameters<typeof ingestBatch>[0][], deps: IngestDeps = w.deps): Promise<IngestCounts> {
  const total = emptyCounts();
  for (const b of batches) addCounts(total, (await ingestBatch(b, deps)).counts);
  return total;
}

async function factSnapshot(w: World): Promise<string[]> {
  const rows = await w.db.db.collection(COLLECTIONS.fact).find({}).sort({ order_id: 1 }).toArray();
  return rows.map((r) => JSON.stringify(r));
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  sink = await createSink(kafka);
});

afterAll(async () => {
  for (const h of handles) {
    await h.db.dropDatabase().catch(() => undefined);
    await h.close().catch(() => undefined);
  }
  await deleteTopics(admin, topicsCreated).catch(() => undefined);
  await sink?.close().catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
});

describe('ingest core on the real stack', () => {
  const N = 2000;
  let w: World;
  let events: OrderEvent[];

  it('(a) N seeded events through Kafka → exactly N facts, right dimensions, N accepted messages', async () => {
    w = await world('seeded');
    events = generated(N, 20240501);
    await produceRaw(producer, w.orders, events.map(asRaw));
    const batches = await readBatches(kafka, w.orders, { expected: N, timeoutMs: 60_000, maxBatch: 500 });
    const counts = await ingestAll(w, batches);
    expect(counts).toEqual({ received: N, accepted: N, duplicates: 0, dlq: {}, conflicts: 0 });

    const facts = w.db.db.collection(COLLECTIONS.fact);
    expect(await facts.countDocuments()).toBe(N);
    const customers = new Set(events.map((e) => e.customer.customer_id));
    const products = new Set(events.map((e) => e.product.product_id));
    expect(await w.db.db.collection(COLLECTIONS.customers).countDocuments()).toBe(customers.size);
    expect(await w.db.db.collection(COLLECTIONS.products).countDocuments()).toBe(products.size);
    // Payments are folded into the fact: no payments_dim rows, every fact says so with payment_attrs.
    expect(await w.db.db.collection(COLLECTIONS.payments).countDocuments()).toBe(0);
    expect(await facts.countDocuments({ payment_attrs: { $exists: true } })).toBe(N);

    const e = events[123]!;
    const f = await facts.findOne({ order_id: e.order_id });
    expect(f).toMatchObject({ order_id: e.order_id, total_amount: e.total_amount, customer_id: e.customer.customer_id, state: e.customer.state, product_name: e.product.name, payment_status: e.payment.status, order_timestamp: new Date(e.order_timestamp), date_key: e.order_timestamp.slice(0, 10), minute_key: e.order_timestamp.slice(0, 16) });
    expect(f).toMatchObject({ payment_id: e.payment.payment_id, payment_method: e.payment.method, processing_ms: e.payment.processing_ms, payment_attrs: null });

    expect(await topicSize(admin, w.accepted)).toBe(N);
    const acc = await readRecords(kafka, w.accepted, { expected: N, timeoutMs: 60_000 });
    const byKey = new Map(acc.map((r) => [r.key, r.value.toString()]));
    expect(byKey.size).toBe(N);
    for (const ev of events) expect(byKey.get(ev.order_id)).toBe(canonicalJson(ev));
  });

  it('(c) replaying every partition from offset 0 changes no fact', async () => {
    const before = await factSnapshot(w);
    const dimsBefore = await w.db.db.collection(COLLECTIONS.customers).find({}).sort({ _id: 1 }).toArray();
    const batches = await readBatches(kafka, w.orders, { expected: N, timeoutMs: 60_000, maxBatch: 333 });
    // A fresh process (empty dimension cache) replays everything.
    const counts = await ingestAll(w, batches, { ...w.deps, dimCache: createDimCache() });
    expect(counts).toEqual({ received: N, accepted: 0, duplicates: N, dlq: {}, conflicts: 0 });
    expect(await factSnapshot(w)).toEqual(before);
    expect(await w.db.db.collection(COLLECTIONS.customers).find({}).sort({ _id: 1 }).toArray()).toEqual(dimsBefore);
    // Exact duplicates are handed on again (consumers are idempotent by order_id).
    expect(await topicSize(admin, w.accepted)).toBe(2 * N);
  });

  it('(b) corpus mixed with valid events → every bad one on the DLQ with its reason and raw bytes, dups ignored, counts reconcile', async () => {
    // One partition keeps the corpus order (its duplicates and conflicts refer to earlier entries).
    const wb = await world('corpus', { ordersPartitions: 1, ordersMaxMessageBytes: 4 * 1024 * 1024 });
    const corpus = buildCorpus();
    const valid = generated(300, 77);
    const messages: { raw: RawMessage; expected: string }[] = [];
    let v = 0;
    corpus.forEach((c, i) => {
      messages.push({ raw: { key: c.key, bytes: c.bytes }, expected: c.expected });
      if (i % 2 === 1 && v < valid.length) messages.push({ raw: asRaw(valid[v++]!), expected: 'accepted' });
    });
    while (v < valid.length) messages.push({ raw: asRaw(valid[v++]!), expected: 'accepted' });

    await produceRaw(producer, wb.orders, messages.map((m) => m.raw), { partition: 0 });
    const batches = await readBatches(kafka, wb.orders, { expected: messages.length, timeoutMs: 60_000, maxBatch: 64 });
    const outcomes: string[] = [];
    const total = emptyCounts();
    for (const b of batches) {
      const r = await ingestBatch(b, wb.deps);
      outcomes.push(...r.outcomes);
      addCounts(total, r.counts);
    }
    expect(outcomes).toEqual(messages.map((m) => m.expected));
    expect(total.received).toBe(messages.length);
    expect(total.accepted + total.duplicates + dlqTotal(total)).toBe(total.received);
    expect(total.duplicates).toBe(messages.filter((m) => m.expected === 'duplicate').length);
    expect(total.conflicts).toBe(messages.filter((m) => m.expected === 'conflict').length);
    expect(await wb.db.db.collection(COLLECTIONS.fact).countDocuments()).toBe(total.accepted);

    const bad = messages.filter((m) => m.expected !== 'accepted' && m.expected !== 'duplicate').length;
    expect(await topicSize(admin, wb.dlq)).toBe(bad);
    const recs = await readRecords(kafka, wb.dlq, { expected: bad, timeoutMs: 60_000 });
    expect(recs).toHaveLength(bad);
    for (const r of recs) {
      const rec = JSON.parse(r.value.toString()) as DlqRecord;
      const m = messages[Number(rec.source.offset)]!;
      expect(rec.reason).toBe(m.expected);
      expect(r.headers.reason).toBe(m.expected);
      expect(rec.source).toEqual({ topic: wb.orders, partition: 0, offset: rec.source.offset, key: m.raw.key });
      expect(r.key).toBe(m.raw.key);
      const raw = Buffer.from(rec.raw_b64, 'base64');
      if (m.raw.bytes.length <= DLQ_RAW_MAX_BYTES) expect(raw.equals(m.raw.bytes)).toBe(true);
      else expect(raw.equals(m.raw.bytes.subarray(0, DLQ_RAW_MAX_BYTES))).toBe(true);
    }
  });

  it('(d) a store failure after k inserts, then the redelivered batch: no loss, no duplicate', async () => {
    const wd = await world('crash');
    const events = generated(1500, 4242);
    const [batch] = await (async () => {
      await produceRaw(producer, wd.orders, events.map(asRaw), { partition: 0 });
      return readBatches(kafka, wd.orders, { expected: events.length, timeoutMs: 60_000, maxBatch: events.length });
    })();
    expect(batch!.messages).toHaveLength(events.length);
    const real = createMongoStore(wd.db.db);
    const k = 617;
    const crashing: IngestStore = {
      async insertFacts(docs) {
        await real.insertFacts(docs.slice(0, k));
        throw new DependencyError('mongodb', `simulated crash after ${k} inserts`);
      },
      registerOrders: (e) => real.registerOrders(e),
      registered: (ids) => real.registered(ids),
      factHashes: (ids) => real.factHashes(ids),
      insertDimensions: (rows) => real.insertDimensions(rows),
    };
    await expect(ingestBatch(batch!, { ...wd.deps, store: crashing })).rejects.toBeInstanceOf(DependencyError);
    const facts = wd.db.db.collection(COLLECTIONS.fact);
    expect(await facts.countDocuments()).toBe(k);
    expect(await topicSize(admin, wd.accepted)).toBe(0); // nothing handed on from the failed attempt

    const r = await ingestBatch(batch!, wd.deps);
    expect(r.counts).toEqual({ received: events.length, accepted: events.length - k, duplicates: k, dlq: {}, conflicts: 0 });
    expect(await facts.countDocuments()).toBe(events.length);
    const ids = await facts.distinct('order_id');
    expect(ids.length).toBe(events.length);
    expect(await facts.countDocuments({ payment_attrs: { $exists: true } })).toBe(events.length);
    expect(await wd.db.db.collection(COLLECTIONS.payments).countDocuments()).toBe(0);
    const acc = await readRecords(kafka, wd.accepted, { expected: events.length, timeoutMs: 60_000 });
    expect(new Set(acc.map((x) => x.key))).toEqual(new Set(events.map((e) => e.order_id)));
  });
});

describe('the duplicate path on the real store (registry read by _id, hot vs missing by the unique index)', () => {
  it('(e) one batch: new, hot same/other content, archived same/other, missing → accepted, duplicate, conflict; nothing archived comes back', async () => {
    const we = await world('dups');
    const evs = generated(60, 777);
    const batchOf = async (topic: string, msgs: RawMessage[]): Promise<Parameters<typeof ingestBatch>[0]> => {
      await produceRaw(producer, topic, msgs, { partition: 0 });
      const [b] = await readBatches(kafka, topic, { expected: msgs.length, timeoutMs: 60_000, maxBatch: msgs.length });
      return b!;
    };
    // First delivery: orders 0..39 ingested.
    expect((await ingestBatch(await batchOf(we.orders, evs.slice(0, 40).map(asRaw)), we.deps)).counts.accepted).toBe(40);
    const db = we.db.db;
    // 10..19 archived (marked, facts deleted); 20..29 left "missing" (registered, fact deleted: a crash between the two inserts).
    await db.collection<{ _id: string; batch: string }>(COLLECTIONS.archivedIds).insertMany(evs.slice(10, 20).map((e) => ({ _id: e.order_id, batch: 'test' })));
    await db.collection(COLLECTIONS.fact).deleteMany({ order_id: { $in: evs.slice(10, 30).map((e) => e.order_id) } });
    const other = (e: OrderEvent): OrderEvent => ({ ...e, order_status: e.order_status === 'pending' ? 'completed' : 'pending' });
    const msgs = [
      ...evs.slice(0, 5).map(asRaw), // hot, same content → duplicate
      ...evs.slice(5, 10).map((e) => asRaw(other(e))), // hot, other content → conflict
      ...evs.slice(10, 15).map(asRaw), // archived, same → duplicate
      ...evs.slice(15, 20).map((e) => asRaw(other(e))), // archived, other → conflict
      ...evs.slice(20, 30).map(asRaw), // missing → accepted (healed)
      ...evs.slice(40, 60).map(asRaw), // new → accepted
    ];
    const topic2 = `${we.orders}-2`;
    await createTopic(admin, topic2, 1);
    topicsCreated.push(topic2);
    const r = await ingestBatch(await batchOf(topic2, msgs), we.deps);
    expect(r.counts).toEqual({ received: 50, accepted: 30, duplicates: 10, dlq: { conflict: 10 }, conflicts: 10 });
    expect(r.outcomes.slice(0, 20)).toEqual([...Array(5).fill('duplicate'), ...Array(5).fill('conflict'), ...Array(5).fill('duplicate'), ...Array(5).fill('conflict')]);
    const ids = new Set(await db.collection(COLLECTIONS.fact).distinct('order_id'));
    expect(ids.size).toBe(50); // 0..9, 20..59: every order once, none of the archived ones
    for (const e of evs.slice(10, 20)) expect(ids.has(e.order_id)).toBe(false);
    // The hot conflicting facts keep their first content.
    const f5 = await db.collection(COLLECTIONS.fact).findOne({ order_id: evs[5]!.order_id });
    expect(f5?.order_status).toBe(evs[5]!.order_status);
  });
});

describe('unordered inserts (one insert command; insertMany when one command cannot carry them)', () => {
  it('reports the duplicate keys by index both ways: a small batch, and one over 16 MiB', async () => {
    const wi = await world('inserts');
    const coll = wi.db.db.collection<{ _id: string; pad?: string }>('insert_paths');
    expect(await insertManyIgnoringDuplicates(coll, [{ _id: 'a' }, { _id: 'b' }], 'insert_paths')).toEqual([]);
    expect(await insertManyIgnoringDuplicates(coll, [{ _id: 'c' }, { _id: 'a' }, { _id: 'd' }, { _id: 'c' }], 'insert_paths')).toEqual([1, 3]);
    const big = Array.from({ length: 300 }, (_, i) => ({ _id: i === 7 ? 'b' : `big-${i}`, pad: 'y'.repeat(60_000) })); // ~18 MB
    expect(await insertManyIgnoringDuplicates(coll, big, 'insert_paths')).toEqual([7]);
    expect(await coll.countDocuments()).toBe(4 + 299);
  });
});

describe('ingest handler on the real stack', () => {
  it('refuses to write before the set-up step; after it: creates its clients once, answers counts, dedupes a redelivery, closes on shutdown', async () => {
    const id = `handler_${run}`;
    const dbName = `ingest_int_${id}`;
    const dlq = `ingest-int-${id}-dlq`;
    const accepted = `ingest-int-${id}-accepted`;
    topicsCreated.push(dlq, accepted);
    process.env.MONGO_DB = dbName;
    process.env.TOPIC_DLQ = dlq;
    process.env.TOPIC_ACCEPTED = accepted;
    const mod = await import('../functions/ingest/handler.ts');
    const h = await connectMongo(config, dbName);
    handles.push(h);
    try {
      const events = generated(200, 99);
      const msgs: RawMessage[] = [...events.map(asRaw), { key: 'x', bytes: Buffer.from('{"truncated":') }, { key: null, bytes: Buffer.from([0xc3, 0x28]) }];
      const body = encodeBatch(`ingest-int-${id}-orders`, 2, msgs.map((m, i) => batchRecord(m, 10 + i)));
      const call = async (): Promise<{ code: number; out: unknown }> => {
        let code = 200;
        const ctx: FnContext = { status: (n) => ((code = n), ctx), headers: () => ctx, succeed: () => ctx, fail: () => ctx };
        const ev: FnEvent = { body: JSON.parse(body.toString('utf8')), rawBody: body, headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE }, method: 'POST', query: {}, path: '/' };
        const out = await mod.default(ev, ctx);
        return { code, out };
      };
      // the handler creates no index or topic: before the set-up step it refuses to write (a
      // store without the unique order_id index would keep redelivered orders twice) and says what to do
      const refused = await call();
      expect(refused.code).toBe(500);
      expect(refused.out).toMatchObject({ code: 'config', retriable: false });
      expect(String((refused.out as { error: string }).error)).toContain('npm run setup');
      expect(await h.db.collection(COLLECTIONS.fact).countDocuments()).toBe(0);
      // the set-up step (npm run setup / the pipeline at start-up); the next call opens the clients again
      await setUp(loadConfig(), createLogger({ test: 'ingest-handler' }, () => undefined));
      const first = await call();
      expect(first).toEqual({ code: 200, out: { received: 202, accepted: 200, duplicates: 0, dlq: { invalid_json: 1, invalid_utf8: 1 }, conflicts: 0 } });
      const second = await call();
      expect(second).toEqual({ code: 200, out: { received: 202, accepted: 0, duplicates: 200, dlq: { invalid_json: 1, invalid_utf8: 1 }, conflicts: 0 } });
      expect(await h.db.collection(COLLECTIONS.fact).countDocuments()).toBe(200);
      expect(await topicSize(admin, dlq)).toBe(4);
      expect(await mod.health()).toMatchObject({ status: 'ok', batches: 2, totals: { received: 404, accepted: 200, duplicates: 200 } });
    } finally {
      await mod.shutdown();
      delete process.env.MONGO_DB;
      delete process.env.TOPIC_DLQ;
      delete process.env.TOPIC_ACCEPTED;
    }
  });
});
