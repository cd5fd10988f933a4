/**
 * Integration-test helpers on the REAL MongoDB/FerretDB: seed facts and dimensions into a test
 * database, list what is still hot. (Test support; the archive code itself reads through
 * mongo-hot-store.ts.)
 */
import { randomBytes } from 'node:crypto';
import { ObjectId, type Db } from 'mongodb';
import { COLLECTIONS, ensureSchema } from '../../adapters/mongo.ts';
import type { FactFixture } from './facts.ts';

export interface SeedOptions {
  /**
   * Give the facts ObjectIds made at this time (ascending, 100 per second from it) instead of
   * the driver's (now): orders ingested long ago, as the archive moves them in production (its
   * range delete needs ids older than rangeDeleteMarginMs).
   */
  idsFrom?: Date;
}

/** `count` ascending ObjectId hex strings whose time starts at `from` (100 per second). */
export function objectIdsFrom(from: Date, count: number): ObjectId[] {
  const base = Math.floor(from.getTime() / 1000);
  const mid = randomBytes(5).toString('hex');
  return Array.from({ length: count }, (_, i) => new ObjectId((base + Math.floor(i / 100)).toString(16).padStart(8, '0') + mid + i.toString(16).padStart(6, '0')));
}

export async function seedHotStore(db: Db, fixtures: readonly FactFixture[], opts: SeedOptions = {}): Promise<void> {
  await ensureSchema(db);
  const ids = opts.idsFrom ? objectIdsFrom(opts.idsFrom, fixtures.length) : undefined;
  const facts = fixtures.map((f, i) => (ids ? { _id: ids[i], ...f.fact } : { ...f.fact }));
  for (let i = 0; i < facts.length; i += 5000) await db.collection(COLLECTIONS.fact).insertMany(facts.slice(i, i + 5000), { ordered: true });
  const dims: [string, Record<string, unknown>[]][] = [
    [COLLECTIONS.customers, fixtures.map((f) => f.customer)],
    [COLLECTIONS.products, fixtures.map((f) => f.product)],
    [COLLECTIONS.payments, fixtures.flatMap((f) => (f.payment ? [f.payment] : []))],
  ];
  for (const [name, rows] of dims) {
    if (rows.length === 0) continue;
    const firstWins = new Map<string, Record<string, unknown>>();
    for (const r of rows) if (!firstWins.has(String(r._id))) firstWins.set(String(r._id), r);
    const docs = [...firstWins.values()] as { _id: string }[];
    const existing = new Set((await db.collection<{ _id: string }>(name).find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
    const fresh = docs.filter((d) => !existing.has(d._id));
    for (let i = 0; i < fresh.length; i += 5000) await db.collection<{ _id: string }>(name).insertMany(fresh.slice(i, i + 5000), { ordered: false });
  }
}

export async function hotOrderIds(db: Db): Promise<Set<string>> {
  const docs = await db.collection(COLLECTIONS.fact).find({}, { projection: { _id: 0, order_id: 1 } }).toArray();
  return new Set(docs.map((d) => String(d.order_id)));
}

export function testDbName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
