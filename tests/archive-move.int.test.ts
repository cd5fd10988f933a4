/**
 * archive-move on the REAL MongoDB/FerretDB with the embedded local backend (directory + catalog
 * file): moves, crash after every step + rerun, late arrivals, the lease, and an independent
 * read-back by DuckDB; payments folded into the fact (an unknown payment field from the event to the
 * archive row; a store written before the fold archives to the same rows). Each test has its own
 * database and archive directory.
 */
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { COLLECTIONS } from '../shared/adapters/mongo.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import type { BatchStep } from '../shared/archive/manifest.ts';
import { runMove, type MoveHooks } from '../shared/archive/move.ts';
import { toCents } from '../shared/contract/money.ts';
import { readArchivedOrders } from '../shared/archive/reader.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { asLegacy, buildFacts, type FactFixture } from '../shared/archive/testing/facts.ts';
import { duckSummary } from '../shared/archive/testing/duckdb.ts';
import { archiveState } from '../shared/archive/testing/invariants.ts';
import { hotOrderIds, objectIdsFrom, seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { legacyFixtureOf } from '../shared/archive/testing/generated.ts';
import { ingestBatch } from '../shared/ingest/ingest.ts';
import { createMongoStore } from '../shared/ingest/adapters/mongo-store.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import type { ArchivedOrder } from '../shared/archive/reader.ts';
import { RecordingSink, toBatch } from './corpus/batch.ts';
import { validEvents } from './corpus/valid-events.ts';

const config = loadConfig();
const log = createLogger({ test: 'archive-move.int' }, () => undefined);
class Crash extends Error {}

let dir: string;
let rt: ArchiveRuntime;
let seeded: FactFixture[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-archive-int-'));
  const storage = new LocalStorage(dir);
  rt = await openArchiveRuntime(config, {
    dbName: testDbName('archive_move'),
    log,
    backends: { storage, catalog: new LocalCatalog(path.join(dir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } },
  });
  seeded = buildFacts(240, { seed: 5, stepMs: 900_000 }); // 96 orders per UTC day
  await seedHotStore(rt.mongo.db, seeded);
});

afterEach(async () => {
  await rt.mongo.db.dropDatabase().catch(() => undefined);
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

const allIds = (): string[] => seeded.map((f) => f.fact.order_id);
const sumCents = (fs: FactFixture[]): number => fs.reduce((n, f) => n + toCents(f.fact.total_amount), 0);

async function expectInvariants(): Promise<Awaited<ReturnType<typeof archiveState>>> {
  const s = await archiveState(rt.backends.storage, rt.backends.catalog, await hotOrderIds(rt.mongo.db), allIds());
  expect(s.problems).toEqual([]);
  return s;
}

describe('archive-move on FerretDB, local backend', () => {
  it('archives the oldest orders, verified, cataloged, deleted; DuckDB reads the same rows and sums', async () => {
    const before = await rt.hot.readSize();
    const res = await runMove(rt.moveDeps(), { orders: 150, maxBatch: 100 });
    expect(res).toMatchObject({ status: 'done', moved: 150 });
    expect(res.batches.map((b) => b.orders)).toEqual([100, 50]);

    const hot = await hotOrderIds(rt.mongo.db);
    expect([...hot].sort()).toEqual(allIds().slice(150).sort());
    const s = await expectInvariants();
    expect(s.archivedCents).toBe(sumCents(seeded.slice(0, 150)));
    expect(s.dirsWithFiles).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);

    // The manifest in MongoDB: every batch deleted, its history complete, its id list compacted.
    const batches = await rt.mongo.db.collection('archive_manifest').find({}).toArray();
    expect(batches).toHaveLength(2);
    for (const b of batches) {
      expect(b.step).toBe('deleted');
      expect(b.ids).toEqual([]);
      expect((b.history as { step: BatchStep }[]).map((h) => h.step)).toEqual(['frozen', 'written', 'verified', 'registered', 'deleted']);
    }
    // Dimensions stay.
    expect(await rt.mongo.db.collection(COLLECTIONS.customers).countDocuments()).toBeGreaterThan(0);

    // Independent reader: DuckDB finds the same rows, ids, sums and partitions, with typed columns.
    const duck = await duckSummary(dir);
    expect(duck.rows).toBe(150);
    expect(duck.distinct_ids).toBe(150);
    expect(duck.ids).toEqual(allIds().slice(0, 150).sort());
    expect(duck.total_cents).toBe(sumCents(seeded.slice(0, 150)));
    expect(duck.quantity).toBe(seeded.slice(0, 150).reduce((n, f) => n + f.fact.quantity, 0));
    expect(duck.dts).toEqual(s.dirsWithFiles);
    expect(duck.types).toMatchObject({ order_id: 'VARCHAR', total_amount: 'DECIMAL(18,2)', quantity: 'BIGINT', hour: 'INTEGER', processing_ms: 'DOUBLE' });
    expect(duck.types.order_timestamp).toMatch(/^TIMESTAMP/);

    // Our reader returns the facts as they were in the hot store.
    const byId = new Map(seeded.map((f) => [f.fact.order_id, f]));
    let n = 0;
    for await (const row of readArchivedOrders(rt.backends.storage, rt.backends.catalog)) {
      const f = byId.get(row.order_id)!;
      expect(row).toMatchObject({ order_timestamp: f.fact.order_timestamp, total_amount: f.fact.total_amount, quantity: f.fact.quantity, segment: f.fact.segment, dt: row.date_key });
      expect(row.extra).toEqual((f.fact.extra as unknown) ?? null);
      n++;
    }
    expect(n).toBe(150);

    const after = await rt.hot.readSize();
    const factBytes = (h: typeof before): number => h.collections.find((c) => c.name === COLLECTIONS.fact)!.dataBytes;
    expect(factBytes(after)).toBeLessThan(factBytes(before));
  });

  const steps: { at: string; hooks: (fire: () => never) => MoveHooks }[] = [
    ...(['written', 'verified', 'registered'] as BatchStep[]).map((step) => ({ at: `after ${step}`, hooks: (fire: () => never): MoveHooks => ({ afterStep: (b) => (b.step === step ? fire() : undefined) }) })),
    { at: 'with the delete half done', hooks: (fire: () => never): MoveHooks => ({ afterDeleteChunk: (_b, done) => (done >= 40 ? fire() : undefined) }) },
  ];
  for (const s of steps) {
    it(`a crash ${s.at} is resumed by the next run: every order in exactly one place`, async () => {
      let fired = false;
      const fire = (): never => {
        fired = true;
        throw new Crash(s.at);
      };
      const armed = s.hooks(() => (fired ? (undefined as never) : fire()));
      await expect(runMove(rt.moveDeps(), { orders: 100, deleteChunk: 20, hooks: armed })).rejects.toBeInstanceOf(Crash);
      expect(fired).toBe(true);
      const [inflight] = await rt.manifests.inFlight();
      expect(inflight).toBeDefined();
      const stepAtCrash = inflight!.step;

      const res = await runMove(rt.moveDeps(), { orders: 100 });
      expect(res.batches[0]).toMatchObject({ resumed_from: stepAtCrash, orders: 100 });
      expect(await rt.manifests.inFlight()).toEqual([]);
      const st = await expectInvariants();
      expect(st.archivedIds.length).toBe(100);
      expect(st.archivedCents).toBe(sumCents(seeded.slice(0, 100)));
      const names = (await Promise.all(st.dirsWithFiles.map((dt) => readdir(path.join(dir, 'orders_fact', `dt=${dt}`))))).flat();
      expect(names.length).toBe(st.dirsWithFiles.length); // one batch: one file per partition, no copies, no temp files
    });
  }

  it('never deletes orders inserted while a move runs', async () => {
    const late = buildFacts(30, { seed: 77, prefix: 'late', start: new Date('2025-12-30T00:00:00Z') });
    const res = await runMove(rt.moveDeps(), {
      orders: 60,
      hooks: { afterStep: async (b) => (b.step === 'frozen' ? seedHotStore(rt.mongo.db, late) : undefined) },
    });
    expect(res.moved).toBe(60);
    const hot = await hotOrderIds(rt.mongo.db);
    for (const f of late) expect(hot.has(f.fact.order_id)).toBe(true);
    expect(hot.size).toBe(240 - 60 + 30);
  });

  it('the MongoDB adapter reads by id the same way through $in (small sets) and a filtered scan (large sets)', async () => {
    const few = allIds().slice(10, 15);
    const many = allIds().slice(0, 200);
    const viaIn = await rt.hot.loadFacts(few); // 5 of 240 < 20 %: $in
    const viaScan = await rt.hot.loadFacts(many); // 200 of 240: one scan, filtered here
    expect(viaIn.map((f) => f.order_id).sort()).toEqual(few);
    expect(viaScan.map((f) => f.order_id).sort()).toEqual([...many].sort());
    expect(viaScan.find((f) => f.order_id === few[0])).toEqual(viaIn.find((f) => f.order_id === few[0]));
    expect(viaIn[0]?.hot_id).toMatch(/^[0-9a-f]{24}$/);
    expect(await rt.hot.countPresent([...few, 'nope'])).toBe(5);
    expect(await rt.hot.countPresent([...many, 'nope'])).toBe(200);
    const legacy = buildFacts(3, { seed: 8, prefix: 'legacy' });
    await seedHotStore(rt.mongo.db, asLegacy(legacy)); // payments_dim rows, as a store written before the fold has them
    const dims = await rt.hot.loadDims({ customers: [String(seeded[0]!.fact.customer_id)], products: [], payments: [...legacy, ...seeded].map((f) => String(f.fact.payment_id)) });
    expect(dims.customers.size).toBe(1);
    expect([...dims.payments.keys()].sort()).toEqual(legacy.map((f) => f.fact.payment_id)); // new facts have no payment rows
    expect(dims.payments.get(legacy[0]!.fact.payment_id)).toMatchObject({ order_id: legacy[0]!.fact.order_id, method: legacy[0]!.fact.payment_method });
    expect(dims.products.size).toBe(0);
  });

  it('deleteOrders bounded by the batch _id range deletes exactly the listed orders, none between them', async () => {
    const byHotId = (await rt.hot.loadFacts(allIds())).sort((a, b) => (a.hot_id < b.hot_id ? -1 : 1));
    const inRange = byHotId.slice(0, 6);
    const outside = byHotId[6]!;
    const range = { first: inRange[0]!.hot_id, last: inRange[5]!.hot_id };
    const listed = [inRange[0]!.order_id, inRange[2]!.order_id, inRange[5]!.order_id];
    const unlisted = [inRange[1]!.order_id, inRange[3]!.order_id, inRange[4]!.order_id];
    expect(await rt.hot.deleteOrders(listed, range)).toBe(3);
    expect(await rt.hot.countPresent(listed)).toBe(0);
    expect(await rt.hot.countPresent(unlisted)).toBe(3);
    // Listed but outside the batch's range: not deleted.
    expect(outside.hot_id > range.last).toBe(true);
    expect(await rt.hot.deleteOrders([outside.order_id], range)).toBe(0);
    expect(await rt.hot.countPresent([outside.order_id])).toBe(1);
  });

  it('the MongoDB lease lets only one move run at a time', async () => {
    expect(await rt.lock.acquire('a', 60_000)).toBe(true);
    expect(await rt.lock.acquire('b', 60_000)).toBe(false);
    expect((await rt.lock.holder())?.owner).toBe('a');
    const busy = await runMove(rt.moveDeps(), { orders: 10 });
    expect(busy).toMatchObject({ status: 'busy', holder: 'a', moved: 0 });
    expect(await rt.lock.renew('b', 60_000)).toBe(false);
    await rt.lock.release('a');
    expect(await rt.lock.holder()).toBeUndefined();
    expect(await rt.lock.acquire('c', 1)).toBe(true);
    await waitFor(async () => (await rt.lock.holder()) === undefined, { timeoutMs: 5_000, intervalMs: 5, what: "c's 1 ms lease to expire" });
    expect(await rt.lock.acquire('d', 60_000)).toBe(true); // c's lease expired
    await rt.lock.release('d');
  });
});

describe('archive-move by _id range on FerretDB (orders ingested long ago)', () => {
  it('freezes a range-complete batch even when a fact of its span was inserted last, deletes by range, keeps late arrivals', async () => {
    const own = await openArchiveRuntime(config, { dbName: testDbName('archive_range'), log, backends: rt.backends });
    try {
      const fx = buildFacts(120, { seed: 9, stepMs: 900_000 });
      // 0..99 inserted in _id order, then 100..119 with ids inside the span of the first 100
      // (another ingest process's ids interleave), inserted after them.
      const ids = objectIdsFrom(new Date(Date.now() - 86_400_000), 120);
      const order = [...ids.slice(0, 50), ...ids.slice(70, 120), ...ids.slice(50, 70)];
      await seedHotStore(own.mongo.db, []);
      await own.mongo.db.collection(COLLECTIONS.fact).insertMany(fx.map((f, i) => ({ _id: order[i], ...f.fact })));
      const res = await runMove(own.moveDeps(), { orders: 100, maxBatch: 100 });
      expect(res.moved).toBe(100);
      const [batch] = await own.manifests.list();
      expect(batch?.range_complete).toBe(true);
      // The batch is the 100 oldest by _id, whatever the insertion order.
      expect(batch?._id).toBe(`${ids[0]!.toHexString()}-${ids[99]!.toHexString()}`);
      const hot = await own.mongo.db.collection(COLLECTIONS.fact).find({}, { projection: { _id: 1 } }).toArray();
      expect(hot.map((d) => String(d._id)).sort()).toEqual(ids.slice(100).map((i) => i.toHexString()).sort());
      // A fact inserted now (a fresh ObjectId) is never inside an old batch's range.
      await own.mongo.db.collection(COLLECTIONS.fact).insertOne({ ...fx[0]!.fact, order_id: 'late-arrival' });
      const rest = await runMove(own.moveDeps(), { orders: 100, maxBatch: 100 });
      expect(rest.moved).toBe(21);
      expect(await own.mongo.db.collection(COLLECTIONS.fact).countDocuments()).toBe(0);
    } finally {
      await own.mongo.db.dropDatabase().catch(() => undefined);
      await own.mongo.close();
    }
  });
});

describe('payments folded into the fact (FerretDB, local backend)', () => {
  it('an unknown payment field goes from the event to the archive row; a store written before the fold archives to the same rows', async () => {
    const at = new Date('2026-02-01T00:00:00Z');
    const evs = validEvents(80, { seed: 31, prefix: 'fold' });
    const unknown = (i: number): Record<string, unknown> | null => (i % 4 === 0 ? { card_last4: String(1000 + i), wallet: { provider: 'acme', tokens: [i, i + 1] } } : null);
    for (const [i, e] of evs.entries()) Object.assign(e.payment, unknown(i) ?? {});
    const open = async (name: string): Promise<{ rt: ArchiveRuntime; dir: string }> => {
      const d = await mkdtemp(path.join(os.tmpdir(), `op-archive-${name}-`));
      const r = await openArchiveRuntime(config, { dbName: testDbName(`archive_${name}`), log, backends: { storage: new LocalStorage(d), catalog: new LocalCatalog(path.join(d, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } } });
      return { rt: r, dir: d };
    };
    const now = await open('fold');
    const old = await open('legacy');
    try {
      // Today: the events through the ingest core into the real store.
      await seedHotStore(now.rt.mongo.db, []);
      const raw = (e: OrderEvent) => ({ key: e.order_id, bytes: Buffer.from(JSON.stringify(e)) });
      const r = await ingestBatch(toBatch(evs.map(raw)), { store: createMongoStore(now.rt.mongo.db), sink: new RecordingSink(), topics: { dlq: 'orders.dlq', accepted: 'orders.accepted' }, maxEventBytes: config.maxEventBytes, now: () => at });
      expect(r.counts).toMatchObject({ accepted: evs.length });
      expect(await now.rt.mongo.db.collection(COLLECTIONS.payments).countDocuments()).toBe(0);
      const stored = await now.rt.mongo.db.collection(COLLECTIONS.fact).findOne({ order_id: evs[0]!.order_id });
      expect(stored?.payment_attrs).toEqual(unknown(0));
      // Before the fold: the same orders as ingest wrote them then (facts without payment_attrs, payments_dim rows).
      await seedHotStore(old.rt.mongo.db, evs.map((e) => legacyFixtureOf(e, at)));
      expect(await old.rt.mongo.db.collection(COLLECTIONS.payments).countDocuments()).toBe(evs.length);

      const rows = async (x: { rt: ArchiveRuntime }): Promise<Map<string, Omit<ArchivedOrder, 'batch_id'>>> => {
        expect(await runMove(x.rt.moveDeps(), { orders: evs.length })).toMatchObject({ status: 'done', moved: evs.length });
        const out = new Map<string, Omit<ArchivedOrder, 'batch_id'>>();
        for await (const { batch_id: _b, ...row } of readArchivedOrders(x.rt.backends.storage, x.rt.backends.catalog)) out.set(row.order_id, row);
        return out;
      };
      const [fromFact, fromLegacy] = [await rows(now), await rows(old)];
      expect(fromFact.size).toBe(evs.length);
      expect(fromFact).toEqual(fromLegacy);
      for (const [i, e] of evs.entries()) expect(fromFact.get(e.order_id)!.payment_attrs).toEqual(unknown(i));
      expect([...fromFact.values()].filter((x) => x.payment_attrs !== null)).toHaveLength(20);
      // The legacy rows stay (archive-move never deletes dimension rows; docs/archive.md says when an operator may drop them).
      expect(await old.rt.mongo.db.collection(COLLECTIONS.payments).countDocuments()).toBe(evs.length);
    } finally {
      for (const x of [now, old]) {
        await x.rt.mongo.db.dropDatabase().catch(() => undefined);
        await x.rt.close();
        await rm(x.dir, { recursive: true, force: true });
      }
    }
  });
});
