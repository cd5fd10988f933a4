/**
 * What the pipeline relies on from the MongoDB-protocol store of the local stack
 * (FerretDB v1.24.2 on SQLite, or MongoDB when MONGO_URL is set).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoBulkWriteError, type Collection, type Document } from 'mongodb';
import { loadConfig } from '../../shared/platform/config.ts';
import { connectMongo, type MongoHandle } from '../../shared/adapters/mongo.ts';

const config = loadConfig();
const dbName = `stack_int_${randomBytes(4).toString('hex')}`;
let h: MongoHandle;

interface Fact extends Document {
  order_id: string;
  n: number;
}

describe('MongoDB-protocol store (local stack)', () => {
  let facts: Collection<Fact>;

  beforeAll(async () => {
    h = await connectMongo(config, dbName);
    facts = h.db.collection<Fact>('facts');
    await facts.createIndex({ order_id: 1 }, { unique: true, name: 'order_id_unique' });
  });

  afterAll(async () => {
    await h?.db.dropDatabase().catch(() => undefined);
    await h?.close();
  });

  it('answers ping and reports a 7.x server version', async () => {
    expect((await h.db.command({ ping: 1 })).ok).toBe(1);
    const info = await h.db.admin().command({ buildInfo: 1 });
    expect(String(info.version)).toMatch(/^7\./);
  });

  it('enforces the unique index', async () => {
    await facts.insertOne({ order_id: 'u-1', n: 1 });
    await expect(facts.insertOne({ order_id: 'u-1', n: 2 })).rejects.toMatchObject({ code: 11000 });
    expect(await facts.countDocuments({ order_id: 'u-1' })).toBe(1);
  });

  it('insertMany ordered:false reports each duplicate (11000) and inserts the rest', async () => {
    await facts.insertOne({ order_id: 'd-2', n: 0 });
    const docs: Fact[] = [
      { order_id: 'd-1', n: 1 },
      { order_id: 'd-2', n: 2 }, // already stored
      { order_id: 'd-3', n: 3 },
      { order_id: 'd-3', n: 4 }, // duplicate within the batch
      { order_id: 'd-4', n: 5 },
    ];
    let err: unknown;
    try {
      await facts.insertMany(docs, { ordered: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bwe = err as MongoBulkWriteError;
    const writeErrors = Array.isArray(bwe.writeErrors) ? bwe.writeErrors : [bwe.writeErrors];
    expect(writeErrors.map((w) => w.code)).toEqual([11000, 11000]);
    expect(writeErrors.map((w) => w.index).sort()).toEqual([1, 3]);
    expect(bwe.result.insertedCount).toBe(3);
    const stored = await facts.find({ order_id: { $in: ['d-1', 'd-2', 'd-3', 'd-4'] } }, { projection: { _id: 0 } }).sort({ order_id: 1 }).toArray();
    expect(stored).toEqual([
      { order_id: 'd-1', n: 1 },
      { order_id: 'd-2', n: 0 },
      { order_id: 'd-3', n: 3 },
      { order_id: 'd-4', n: 5 },
    ]);
  });

  it('bulkWrite upserts with $setOnInsert report upsertedIds and never overwrite', async () => {
    const dims = h.db.collection<{ _id: string; name: string; first_seen: string }>('dims');
    const op = (id: string, name: string) => ({
      updateOne: { filter: { _id: id }, update: { $setOnInsert: { name, first_seen: '2026-01-01T00:00:00Z' } }, upsert: true },
    });
    const first = await dims.bulkWrite([op('p1', 'A'), op('p2', 'B')], { ordered: false });
    expect(first.upsertedCount).toBe(2);
    expect(Object.values(first.upsertedIds).sort()).toEqual(['p1', 'p2']);
    const second = await dims.bulkWrite([op('p1', 'changed'), op('p3', 'C')], { ordered: false });
    expect(second.upsertedCount).toBe(1);
    // Use the upserted _id values, not their keys: MongoDB keys them by op index ({1: 'p3'}),
    // FerretDB v1.24.2 by ordinal among the upserts ({0: 'p3'}).
    expect(Object.values(second.upsertedIds)).toEqual(['p3']);
    expect(second.matchedCount).toBe(1);
    expect(second.modifiedCount).toBe(0);
    expect((await dims.findOne({ _id: 'p1' }))?.name).toBe('A');
  });

  it('find with $in returns exactly the requested documents', async () => {
    await facts.insertMany([{ order_id: 'in-1', n: 1 }, { order_id: 'in-2', n: 2 }, { order_id: 'in-3', n: 3 }]);
    const got = await facts.find({ order_id: { $in: ['in-1', 'in-3', 'in-missing'] } }).toArray();
    expect(got.map((d) => d.order_id).sort()).toEqual(['in-1', 'in-3']);
  });

  it('dbStats and collStats report sizes (never assert exact bytes: SQLite pages)', async () => {
    const big = h.db.collection('sized');
    await big.insertMany(Array.from({ length: 500 }, (_, i) => ({ i, pad: 'x'.repeat(500) })));
    const db = await h.db.command({ dbStats: 1 });
    const coll = await h.db.command({ collStats: 'sized' });
    for (const v of [db.dataSize, db.storageSize, coll.size, coll.storageSize]) {
      expect(Number(v)).toBeGreaterThan(0);
    }
    expect(Number(coll.count)).toBe(500);
    expect(Number(db.storageSize)).toBeGreaterThanOrEqual(Number(coll.storageSize));
  });
});
