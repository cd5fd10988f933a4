/**
 * The hot store's floor for archiving (issue 10 item 5; bench/archive.ts): the work no archive-move
 * can avoid on a store seeded with the orders to move, timed on the real server. Read every order
 * once with the cheapest read the store offers (a `limit` without filter or sort: FerretDB pushes it
 * down and reads only those rows; MongoDB walks its natural order), then delete them the way the
 * move must, by `_id` sub-ranges of at most `rangeChunk` orders (one deleteMany each; FerretDB on
 * SQLite caps a statement at 32,766 parameters, one per deleted document). Nothing else: no sort,
 * no dimensions, no marks, no manifest, no Parquet. Benchmark support (drivers allowed in testing/).
 */
import type { Db, ObjectId } from 'mongodb';
import { COLLECTIONS } from '../../adapters/mongo.ts';
import { subRanges } from '../move.ts';

export interface HotStoreFloor {
  orders: number;
  /** Seconds to read every order once (one unsorted, unfiltered `find` with `limit`). */
  read_s: number;
  /** Seconds to delete them by `_id` sub-ranges. */
  delete_s: number;
  /** Delete calls (sub-ranges). */
  delete_calls: number;
  /** orders / (read_s + delete_s). */
  orders_per_s: number;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/** Time the floor on `db`'s orders_fact, which holds exactly the `orders` facts to move (ObjectId `_id`s); leaves it empty. */
export async function measureHotStoreFloor(db: Db, orders: number, rangeChunk: number): Promise<HotStoreFloor> {
  const col = db.collection<{ _id: ObjectId }>(COLLECTIONS.fact);
  let t = performance.now();
  const docs = await col.find({}, { limit: orders, batchSize: 10_000 }).toArray();
  const readS = (performance.now() - t) / 1000;
  if (docs.length !== orders) throw new Error(`floor: read ${docs.length} orders, seeded ${orders}`);
  // Sorting 50 000 ids in the application is a few milliseconds; the ranges need them in order.
  const ids = docs
    .map((d) => ({ hex: d._id.toHexString(), id: d._id }))
    .sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0))
    .map((x) => x.id);
  const ranges = subRanges(ids, rangeChunk);
  t = performance.now();
  let deleted = 0;
  for (const r of ranges) deleted += (await col.deleteMany({ _id: { $gte: r.first, $lte: r.last } })).deletedCount;
  const deleteS = (performance.now() - t) / 1000;
  if (deleted !== orders) throw new Error(`floor: deleted ${deleted} orders, seeded ${orders}`);
  return { orders, read_s: round(readS), delete_s: round(deleteS), delete_calls: ranges.length, orders_per_s: Math.round(orders / (readS + deleteS)) };
}
