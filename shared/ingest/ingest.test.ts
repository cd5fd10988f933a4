import { describe, expect, it } from 'vitest';
import { batchRecord, RecordingSink, toBatch } from '../../tests/corpus/batch.ts';
import { buildCorpus } from '../../tests/corpus/corpus.ts';
import { deliveredBatch } from '../delivery/wire.ts';
import { validEvents } from '../../tests/corpus/valid-events.ts';
import { canonicalJson, sha256Hex } from '../contract/canonical.ts';
import type { DlqRecord, OrderEvent } from '../contract/types.ts';
import { DependencyError, InvariantError } from '../platform/errors.ts';
import { addCounts, countOutcomes, emptyCounts } from './counts.ts';
import { createDimCache } from './dim-cache.ts';
import { ingestBatch, type IngestDeps } from './ingest.ts';
import { MemoryStore } from './testing/memory-store.ts';
import type { FactDoc, IngestStore } from './types.ts';

const MAX = 64 * 1024;
const topics = { dlq: 'orders.dlq', accepted: 'orders.accepted' };
const raw = (e: unknown, key: string | null = (e as OrderEvent).order_id) => ({ key, bytes: Buffer.from(JSON.stringify(e)) });
const deps = (store: IngestStore, sink = new RecordingSink(), extra: Partial<IngestDeps> = {}): IngestDeps => ({ store, sink, topics, maxEventBytes: MAX, now: () => new Date('2024-06-01T00:00:00Z'), ...extra });

describe('ingestBatch', () => {
  it('stores N valid events as N facts, dims first-wins, and hands each on once', async () => {
    const evs = validEvents(300, { seed: 11 });
    const store = new MemoryStore();
    const sink = new RecordingSink();
    const r = await ingestBatch(toBatch(evs.map((e) => raw(e))), deps(store, sink));
    expect(r.counts).toEqual({ received: 300, accepted: 300, duplicates: 0, dlq: {}, conflicts: 0 });
    expect(store.facts.size).toBe(300);
    const acc = sink.on(topics.accepted);
    expect(acc.map((m) => m.key)).toEqual(evs.map((e) => e.order_id));
    for (const [i, m] of acc.entries()) expect(m.value).toBe(canonicalJson(evs[i]));
    expect(sink.on(topics.dlq)).toEqual([]);
    // Dimensions: one row per distinct id, the first event's attributes.
    expect(store.dims.customers.size).toBe(new Set(evs.map((e) => e.customer.customer_id)).size);
    expect(Object.keys(store.dims)).toEqual(['customers', 'products']); // no payment rows: payments are on the fact
    const firstOfC = new Map<string, OrderEvent>();
    for (const e of evs) if (!firstOfC.has(e.customer.customer_id)) firstOfC.set(e.customer.customer_id, e);
    for (const [id, e] of firstOfC) expect(store.dims.customers.get(id)).toEqual({ _id: id, ...e.customer });
    for (const e of evs) expect(store.facts.get(e.order_id)).toMatchObject({ payment_id: e.payment.payment_id, payment_method: e.payment.method, payment_status: e.payment.status, processing_ms: e.payment.processing_ms, payment_attrs: null });
  });

  it('builds the fact document of docs/order-contract.md', async () => {
    const e = { ...validEvents(1, { seed: 2 })[0]!, order_timestamp: '2024-03-03T23:59:30.250Z', coupon: 'SPRING' } as OrderEvent;
    const store = new MemoryStore();
    await ingestBatch(toBatch([raw(e)]), deps(store));
    const f = store.facts.get(e.order_id) as FactDoc;
    expect(f).toMatchObject({
      order_id: e.order_id, order_timestamp: new Date('2024-03-03T23:59:30.250Z'), quantity: e.quantity, unit_price: e.unit_price, total_amount: e.total_amount,
      customer_id: e.customer.customer_id, product_id: e.product.product_id, payment_id: e.payment.payment_id,
      segment: e.customer.segment, state: e.customer.state, city: e.customer.city, payment_method: e.payment.method, payment_status: e.payment.status,
      processing_ms: e.payment.processing_ms, product_name: e.product.name, product_category: e.product.category,
      date_key: '2024-03-03', minute_key: '2024-03-03T23:59', hour: 23, dow: 0, extra: { coupon: 'SPRING' },
      content_hash: sha256Hex(canonicalJson(e)), ingested_at: new Date('2024-06-01T00:00:00Z'),
    });
    const plain = validEvents(1, { seed: 3, prefix: 'plain' })[0]!;
    await ingestBatch(toBatch([raw(plain)]), deps(store));
    expect('extra' in (store.facts.get(plain.order_id) as FactDoc)).toBe(false);
  });

  it('dedupes inside a batch: identical → duplicate, different → conflict', async () => {
    const [a, b] = validEvents(2, { seed: 4 }) as [OrderEvent, OrderEvent];
    const a2 = { ...a, order_status: a.order_status === 'cancelled' ? 'completed' : 'cancelled' };
    const store = new MemoryStore();
    const sink = new RecordingSink();
    const r = await ingestBatch(toBatch([raw(a), raw(b), raw(a), raw(a2), raw(b)]), deps(store, sink));
    expect(r.outcomes).toEqual(['accepted', 'accepted', 'duplicate', 'conflict', 'duplicate']);
    expect(r.counts).toMatchObject({ received: 5, accepted: 2, duplicates: 2, conflicts: 1, dlq: { conflict: 1 } });
    expect(sink.on(topics.accepted).map((m) => m.key)).toEqual([a.order_id, b.order_id]);
    const rec = JSON.parse(String(sink.on(topics.dlq)[0]!.value)) as DlqRecord;
    expect(rec).toMatchObject({ reason: 'conflict', order_id: a.order_id, source: { topic: 'orders', partition: 0, offset: '3', key: a.order_id } });
    expect(Buffer.from(rec.raw_b64, 'base64').toString()).toBe(JSON.stringify(a2));
  });

  it('judges later copies against the stored content when the first copy conflicts', async () => {
    const [a] = validEvents(1, { seed: 6 }) as [OrderEvent];
    const other = { ...a, note: 'changed' };
    const store = new MemoryStore();
    await ingestBatch(toBatch([raw(a)]), deps(store));
    const r = await ingestBatch(toBatch([raw(other), raw(a), raw(other)]), deps(store));
    expect(r.outcomes).toEqual(['conflict', 'duplicate', 'conflict']);
  });

  it('a store failure throws DependencyError; rerunning the batch loses and duplicates nothing', async () => {
    const evs = validEvents(50, { seed: 7 });
    const mem = new MemoryStore();
    let failAfter = 20;
    const flaky: IngestStore = {
      async insertFacts(docs) {
        if (failAfter >= 0 && docs.length > failAfter) {
          await mem.insertFacts(docs.slice(0, failAfter));
          failAfter = -1;
          throw new DependencyError('mongodb', 'injected: connection lost mid-insert');
        }
        return mem.insertFacts(docs);
      },
      registerOrders: (e) => mem.registerOrders(e),
      registered: (ids) => mem.registered(ids),
      factHashes: (ids) => mem.factHashes(ids),
      insertDimensions: (rows) => mem.insertDimensions(rows),
    };
    const batch = toBatch(evs.map((e) => raw(e)));
    const sink = new RecordingSink();
    await expect(ingestBatch(batch, deps(flaky, sink))).rejects.toBeInstanceOf(DependencyError);
    expect(mem.facts.size).toBe(20);
    expect(sink.sent).toEqual([]); // nothing handed on before the batch is complete
    const r = await ingestBatch(batch, deps(flaky, sink));
    expect(r.counts).toMatchObject({ received: 50, accepted: 30, duplicates: 20, dlq: {} });
    expect(mem.facts.size).toBe(50);
    expect(new Set(sink.on(topics.accepted).map((m) => m.key)).size).toBe(50);
  });

  it('a Kafka failure after the insert throws; the redelivery hands the events on as duplicates', async () => {
    const evs = validEvents(10, { seed: 8 });
    const store = new MemoryStore();
    const sink = new RecordingSink();
    sink.failNext = 1;
    const batch = toBatch(evs.map((e) => raw(e)));
    await expect(ingestBatch(batch, deps(store, sink))).rejects.toThrow(/injected/);
    const r = await ingestBatch(batch, deps(store, sink));
    expect(r.counts).toMatchObject({ accepted: 0, duplicates: 10 });
    expect(sink.on(topics.accepted).map((m) => m.key)).toEqual(evs.map((e) => e.order_id));
  });

  it('skips dimension rows it already wrote (LRU cache)', async () => {
    const evs = validEvents(200, { seed: 9 });
    const store = new MemoryStore();
    const dimCache = createDimCache(1000);
    let customerRows = 0;
    const counting: IngestStore = { ...store, registerOrders: (e) => store.registerOrders(e), registered: (i) => store.registered(i), insertFacts: (d) => store.insertFacts(d), factHashes: (i) => store.factHashes(i), insertDimensions: async (rows) => { customerRows += rows.customers.length; await store.insertDimensions(rows); } };
    await ingestBatch(toBatch(evs.slice(0, 100).map((e) => raw(e))), deps(counting, undefined, { dimCache }));
    const firstRows = customerRows;
    await ingestBatch(toBatch(evs.slice(100).map((e) => raw(e))), deps(counting, undefined, { dimCache }));
    const seenBefore = new Set(evs.slice(0, 100).map((e) => e.customer.customer_id));
    const newInSecond = new Set(evs.slice(100).map((e) => e.customer.customer_id).filter((c) => !seenBefore.has(c)));
    expect(customerRows - firstRows).toBe(newInSecond.size);
    expect(dimCache.customers.hits).toBeGreaterThan(0);
  });

  it('two batches at once never insert the same new customer twice: the second waits for the first', async () => {
    const evs = validEvents(200, { seed: 21 });
    const store = new MemoryStore();
    const dimCache = createDimCache(1000);
    const inserted: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const slow: IngestStore = {
      registerOrders: (e) => store.registerOrders(e),
      registered: (i) => store.registered(i),
      insertFacts: (d) => store.insertFacts(d),
      factHashes: (i) => store.factHashes(i),
      insertDimensions: async (rows) => {
        inserted.push(...rows.customers.map((r) => r._id));
        if (first) {
          first = false;
          await gate; // the first batch's dimension insert is still in flight when the second starts
        }
        await store.insertDimensions(rows);
      },
    };
    const a = ingestBatch(toBatch(evs.slice(0, 100).map((e) => raw(e))), deps(slow, undefined, { dimCache }));
    let bDone = false;
    const b = ingestBatch(toBatch(evs.slice(100).map((e) => raw(e))), deps(slow, undefined, { dimCache })).then((r) => ((bDone = true), r));
    const shared = new Set(evs.slice(0, 100).map((e) => e.customer.customer_id));
    expect(evs.slice(100).some((e) => shared.has(e.customer.customer_id))).toBe(true);
    await new Promise((r) => setImmediate(r)); // the in-memory store settles within one turn of the event loop
    expect(inserted.length).toBeGreaterThan(0);
    expect(bDone).toBe(false); // waits for the first batch's rows
    release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.counts.accepted + rb.counts.accepted).toBe(200);
    expect(inserted.length).toBe(new Set(inserted).size); // every customer inserted once
    expect(store.dims.customers.size).toBe(new Set(evs.map((e) => e.customer.customer_id)).size);
    expect(dimCache.inFlight.customers.size).toBe(0);
  });

  it('a batch waiting for another batch\'s dimension insert fails (retriably) when that insert fails; its redelivery writes the rows', async () => {
    const evs = validEvents(200, { seed: 22 });
    const store = new MemoryStore();
    const dimCache = createDimCache(1000);
    let fail!: () => void;
    const gate = new Promise<void>((_, reject) => (fail = () => reject(new DependencyError('mongodb', 'down'))));
    let first = true;
    const flaky: IngestStore = {
      registerOrders: (e) => store.registerOrders(e),
      registered: (i) => store.registered(i),
      insertFacts: (d) => store.insertFacts(d),
      factHashes: (i) => store.factHashes(i),
      insertDimensions: async (rows) => {
        if (first) {
          first = false;
          await gate;
        }
        await store.insertDimensions(rows);
      },
    };
    const a = ingestBatch(toBatch(evs.slice(0, 100).map((e) => raw(e))), deps(flaky, undefined, { dimCache }));
    const b = ingestBatch(toBatch(evs.slice(100).map((e) => raw(e))), deps(flaky, undefined, { dimCache }));
    fail();
    await expect(a).rejects.toBeInstanceOf(DependencyError);
    await expect(b).rejects.toBeInstanceOf(DependencyError);
    expect(dimCache.inFlight.customers.size).toBe(0);
    // Redelivered: every order a duplicate or accepted once, every dimension row written.
    const again = await ingestBatch(toBatch(evs.map((e) => raw(e))), deps(store, undefined, { dimCache }));
    expect(again.counts.accepted + again.counts.duplicates).toBe(200);
    expect(store.facts.size).toBe(200);
    expect(store.dims.customers.size).toBe(new Set(evs.map((e) => e.customer.customer_id)).size);
  });

  it('sends invalid messages to the DLQ with source coordinates, never crashing', async () => {
    const sink = new RecordingSink();
    const batch = toBatch([{ key: 'k1', bytes: Buffer.from('{nope') }, { key: null, bytes: Buffer.from([0xff, 0xfe]) }], 'orders', 3, 1000);
    batch.messages.push({ topic: 'orders', partition: 3, offset: '1002', key: null, value: null, timestamp: '0', headers: [] }); // null value (tombstone)
    const r = await ingestBatch(batch, deps(new MemoryStore(), sink));
    expect(r.outcomes).toEqual(['invalid_json', 'invalid_utf8', 'invalid_json']);
    const recs = sink.on(topics.dlq).map((m) => JSON.parse(String(m.value)) as DlqRecord);
    expect(recs.map((x) => x.source)).toEqual([
      { topic: 'orders', partition: 3, offset: '1000', key: 'k1' },
      { topic: 'orders', partition: 3, offset: '1001', key: null },
      { topic: 'orders', partition: 3, offset: '1002', key: null },
    ]);
    expect(Buffer.from(recs[1]!.raw_b64, 'base64')).toEqual(Buffer.from([0xff, 0xfe]));
    expect(recs[2]!.detail).toBe('empty message');
    expect(sink.on(topics.dlq).map((m) => m.headers)).toEqual([
      { reason: 'invalid_json', source_topic: 'orders', source_partition: '3', source_offset: '1000' },
      { reason: 'invalid_utf8', source_topic: 'orders', source_partition: '3', source_offset: '1001' },
      { reason: 'invalid_json', source_topic: 'orders', source_partition: '3', source_offset: '1002' },
    ]);
  });

  it('decides the same from the delivered text (keyText, valueText) as from the bytes: every corpus message, DLQ records and hand-ons equal', async () => {
    const corpus = buildCorpus();
    const run = async (batch: ReturnType<typeof toBatch>) => {
      const sink = new RecordingSink();
      const r = await ingestBatch(batch, deps(new MemoryStore(), sink));
      return { outcomes: r.outcomes, sent: sink.sent };
    };
    const viaText = toBatch(corpus.map((c) => ({ key: c.key, bytes: c.bytes })));
    expect(viaText.messages.filter((m) => m.valueText !== undefined).length).toBeGreaterThan(corpus.length / 2);
    const viaBytes = deliveredBatch('orders', 0, corpus.map((c, i) => batchRecord({ key: c.key, bytes: c.bytes }, i)));
    const [text, bytes] = [await run(viaText), await run(viaBytes)];
    expect(text.outcomes).toEqual(corpus.map((c) => c.expected));
    expect(text).toEqual(bytes);
  });

  it('an archived order replayed (same or other content) inserts nothing: duplicate or conflict', async () => {
    const evs = validEvents(20, { seed: 12 });
    const store = new MemoryStore();
    await ingestBatch(toBatch(evs.map((e) => raw(e))), deps(store));
    store.archive(evs.slice(0, 15).map((e) => e.order_id)); // archive-move: registry flag, then delete
    store.dims.customers.clear(); // rows the replay writes show here (no dimension cache in these deps)
    const changed = { ...evs[0]!, note: 'edited later' };
    const sink = new RecordingSink();
    const r = await ingestBatch(toBatch([...evs.map((e) => raw(e)), raw(changed)]), deps(store, sink));
    expect(r.counts).toMatchObject({ received: 21, accepted: 0, duplicates: 20, conflicts: 1 });
    expect(store.facts.size).toBe(5); // only the 5 never archived; none came back
    // Only the 5 hot orders' (their facts re-offered: a missing one would heal); nothing for the archived ones.
    const hotCustomers = new Set(evs.slice(15).map((e) => e.customer.customer_id));
    expect([...store.dims.customers.keys()].filter((c) => !hotCustomers.has(c))).toEqual([]);
    expect(evs.slice(0, 15).some((e) => !hotCustomers.has(e.customer.customer_id))).toBe(true); // so the check above can fail
    // Handed on again (the KPI store counts an order_id once), so a lost hand-on still heals.
    expect(new Set(sink.on(topics.accepted).map((m) => m.key))).toEqual(new Set(evs.map((e) => e.order_id)));
    expect(r.outcomes.at(-1)).toBe('conflict');
  });

  it('registers before inserting the fact; a crash in between heals on redelivery (the fact is inserted, counted accepted)', async () => {
    const evs = validEvents(30, { seed: 13 });
    const mem = new MemoryStore();
    let fail = true;
    const crashing: IngestStore = {
      ...mem,
      registerOrders: (e) => mem.registerOrders(e),
      registered: (i) => mem.registered(i),
      insertFacts: async (d) => {
        if (fail) {
          fail = false;
          throw new DependencyError('mongodb', 'injected: crash after the registry insert');
        }
        return mem.insertFacts(d);
      },
      factHashes: (i) => mem.factHashes(i),
      insertDimensions: (r) => mem.insertDimensions(r),
    };
    const batch = toBatch(evs.map((e) => raw(e)));
    await expect(ingestBatch(batch, deps(crashing))).rejects.toBeInstanceOf(DependencyError);
    expect(mem.registry.size).toBe(30);
    expect(mem.facts.size).toBe(0);
    const r = await ingestBatch(batch, deps(crashing));
    expect(r.counts).toMatchObject({ accepted: 30, duplicates: 0 });
    expect(mem.facts.size).toBe(30);
    expect(mem.calls.registerOrders).toBe(2);
  });

  it('costs one registry insert and one fact insert per batch, no lookup, when nothing is known', async () => {
    const store = new MemoryStore();
    await ingestBatch(toBatch(validEvents(100, { seed: 14 }).map((e) => raw(e))), deps(store));
    expect(store.calls).toMatchObject({ registerOrders: 1, registered: 0, insertFacts: 1, factHashes: 0 });
  });

  it('a fact the registry does not know (store not migrated): same content is a duplicate, other content refuses', async () => {
    const [a, b] = validEvents(2, { seed: 15 }) as [OrderEvent, OrderEvent];
    const store = new MemoryStore();
    await ingestBatch(toBatch([raw(a), raw(b)]), deps(store));
    store.registry.clear(); // as before the registry existed
    const r = await ingestBatch(toBatch([raw(a)]), deps(store));
    expect(r.outcomes).toEqual(['duplicate']);
    store.registry.clear();
    const err = await ingestBatch(toBatch([raw({ ...b, note: 'x' })]), deps(store)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InvariantError);
    expect(String(err)).toMatch(/npm run setup/);
  });

  it('an empty batch is fine', async () => {
    const r = await ingestBatch({ topic: 'orders', partition: 0, messages: [] }, deps(new MemoryStore()));
    expect(r.counts).toEqual(emptyCounts());
  });

  it('refuses (InvariantError) a registry that reports an order_id as registered and then does not have it', async () => {
    const [e] = validEvents(1, { seed: 10 }) as [OrderEvent];
    const mem = new MemoryStore();
    const liar: IngestStore = { ...mem, registerOrders: async (d) => ({ duplicates: d.map((x) => x.order_id) }), registered: async () => new Map(), insertFacts: (d) => mem.insertFacts(d), factHashes: (i) => mem.factHashes(i), insertDimensions: (r) => mem.insertDimensions(r) };
    const err = await ingestBatch(toBatch([raw(e)]), deps(liar)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InvariantError);
    expect(mem.facts.size).toBe(0);
  });
});

describe('counts', () => {
  it('counts outcomes and refuses a message without one', () => {
    expect(countOutcomes(['accepted', 'duplicate', 'schema', 'conflict', 'schema'])).toEqual({ received: 5, accepted: 1, duplicates: 1, dlq: { schema: 2, conflict: 1 }, conflicts: 1 });
    const holes = new Array(2);
    holes[0] = 'accepted';
    expect(() => countOutcomes(holes)).toThrow(InvariantError);
  });
  it('adds running totals', () => {
    const t = emptyCounts();
    addCounts(t, countOutcomes(['accepted', 'oversize']));
    addCounts(t, countOutcomes(['oversize', 'duplicate']));
    expect(t).toEqual({ received: 4, accepted: 1, duplicates: 1, dlq: { oversize: 2 }, conflicts: 0 });
  });
});
