/**
 * HotStore on MongoDB / FerretDB (adapter: the only archive module besides mongo-manifest.ts that
 * touches the driver). Portable operations only: find with $in / sort / limit, deleteMany,
 * collStats. No $lookup: dimension rows are fetched by id and joined in the application.
 *
 * FerretDB (SQLite backend) evaluates filters by scanning the collection and matches `$in` by
 * linear search (measured: 14 000 ids against 14 000 documents take ~5x a plain scan). So when
 * the ids are a large share of the collection the adapter streams the collection once and filters
 * in the application; small id sets use `$in` (index lookups on MongoDB). See docs/archive.md
 * "Performance".
 */
import { MongoBulkWriteError, ObjectId, type Db, type Document, type Filter } from 'mongodb';
import { COLLECTIONS } from '../../adapters/mongo.ts';
import { DependencyError, InvariantError } from '../../platform/errors.ts';
import type { CollectionSize, DimDoc, DimRows, FactDoc, HotSize, HotStore } from '../hot-store.ts';

export interface MongoHotStoreOptions {
  /** Largest $in list per query (bounds the command size, ~1.5 MB at 50 000 ids; default 50 000). */
  inChunk?: number;
  /** Read by scanning the whole collection when the ids are at least this share of it (default 0.2). */
  scanShare?: number;
  /** Collections measured by readSize (default: orders_fact and the three dimensions; payments_dim is legacy, 0 when absent). */
  measured?: string[];
}

function wrap<T>(what: string, p: Promise<T>): Promise<T> {
  return p.catch((cause: unknown) => {
    throw new DependencyError('mongodb', `${what} failed; is the stack up? (npm run stack -- status)`, { cause });
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

/** A stored fact document → FactDoc (ObjectId → hex; everything else as stored). */
export function factFromDoc(doc: Document): FactDoc {
  const { _id, ...rest } = doc;
  return { ...(rest as Omit<FactDoc, 'hot_id'>), hot_id: _id instanceof ObjectId ? _id.toHexString() : String(_id) };
}

export class MongoHotStore implements HotStore {
  private readonly inChunk: number;
  private readonly scanShare: number;
  private readonly measured: string[];

  constructor(
    private readonly db: Db,
    opts: MongoHotStoreOptions = {},
  ) {
    this.inChunk = opts.inChunk ?? 50_000;
    this.scanShare = opts.scanShare ?? 0.2;
    this.measured = opts.measured ?? [COLLECTIONS.fact, COLLECTIONS.customers, COLLECTIONS.products, COLLECTIONS.payments];
  }

  private get facts() {
    return this.db.collection(COLLECTIONS.fact);
  }

  async oldestFacts(limit: number): Promise<FactDoc[]> {
    // The first `limit` by `_id`: range-complete by construction (every smaller `_id` is in it).
    // MongoDB answers from the `_id` index; FerretDB reads and sorts the whole collection, one
    // pass, which measured cheaper than a pushed-down unsorted `limit` plus the count that would
    // prove its span complete (docs/archive.md "Performance").
    const docs = await wrap('reading the oldest orders', this.facts.find({}, { sort: { _id: 1 }, limit, batchSize: Math.min(limit, 10_000) }).toArray());
    return docs.map(factFromDoc);
  }

  /**
   * The collection's document count from its statistics (collStats `count`): answered from
   * metadata by MongoDB and by FerretDB on SQLite (measured 147 ms for 50,000 facts, where
   * estimatedDocumentCount — FerretDB's `count` command — read the whole collection: 5.4 s).
   * Falls back to estimatedDocumentCount when collStats is refused (e.g. a missing collection).
   */
  private async countOf(collection: string): Promise<number> {
    try {
      return num((await this.db.command({ collStats: collection })).count);
    } catch {
      return wrap(`counting ${collection}`, this.db.collection(collection).estimatedDocumentCount());
    }
  }

  /** Documents of `collection` whose `field` is in `ids`: one scan filtered here for large id sets, `$in` for small ones. */
  private async byIds(collection: string, field: string, ids: readonly string[], what: string, projection?: Document, scanAbove = Infinity): Promise<Document[]> {
    if (ids.length === 0) return [];
    const col = this.db.collection(collection);
    // Above scanAbove the count cannot change the answer: skip it.
    const scan = ids.length > scanAbove || ids.length >= (await this.countOf(collection)) * this.scanShare;
    const out: Document[] = [];
    if (scan) {
      const wanted = new Set(ids);
      const cursor = col.find({}, { batchSize: 10_000, ...(projection ? { projection } : {}) });
      try {
        for await (const d of cursor) if (wanted.has(String(d[field]))) out.push(d);
      } catch (cause) {
        throw new DependencyError('mongodb', `${what} failed; is the stack up? (npm run stack -- status)`, { cause });
      }
      return out;
    }
    for (const chunk of chunks(ids, this.inChunk)) out.push(...(await wrap(what, col.find({ [field]: { $in: chunk } } as Filter<Document>, { batchSize: 10_000, ...(projection ? { projection } : {}) }).toArray())));
    return out;
  }

  async loadFacts(orderIds: readonly string[]): Promise<FactDoc[]> {
    return (await this.byIds(COLLECTIONS.fact, 'order_id', orderIds, 'reading frozen orders')).map(factFromDoc);
  }

  private async dims(name: string, ids: readonly string[]): Promise<Map<string, DimDoc>> {
    const out = new Map<string, DimDoc>();
    for (const d of await this.byIds(name, '_id', ids, `reading ${name}`)) out.set(String(d._id), d as DimDoc);
    return out;
  }

  async loadDims(ids: { customers: readonly string[]; products: readonly string[]; payments: readonly string[] }): Promise<DimRows> {
    const [customers, products, payments] = await Promise.all([
      this.dims(COLLECTIONS.customers, ids.customers),
      this.dims(COLLECTIONS.products, ids.products),
      this.dims(COLLECTIONS.payments, ids.payments),
    ]);
    return { customers, products, payments };
  }

  async deleteOrders(orderIds: readonly string[], hotIdRange?: { first: string; last: string }): Promise<number> {
    // Still only the listed order_ids; the range only narrows where the server looks (about 3x
    // faster deletes on FerretDB, whose $in alone scans the whole collection).
    const range =
      hotIdRange && ObjectId.isValid(hotIdRange.first) && ObjectId.isValid(hotIdRange.last)
        ? { _id: { $gte: new ObjectId(hotIdRange.first), $lte: new ObjectId(hotIdRange.last) } }
        : {};
    let n = 0;
    for (const chunk of chunks(orderIds, this.inChunk)) n += (await wrap('deleting archived orders', this.facts.deleteMany({ ...range, order_id: { $in: chunk } }))).deletedCount;
    return n;
  }

  async deleteRange(range: { first: string; last: string }): Promise<number> {
    if (!ObjectId.isValid(range.first) || !ObjectId.isValid(range.last)) throw new InvariantError(`deleteRange needs ObjectId hex bounds, got ${range.first} / ${range.last}`);
    const filter = { _id: { $gte: new ObjectId(range.first), $lte: new ObjectId(range.last) } };
    return (await wrap('deleting archived orders', this.facts.deleteMany(filter))).deletedCount;
  }

  /**
   * insertMany ordered:false of `{_id: order_id, batch}` into order_ids_archived: the primary key
   * answers "already archived?" without a scan (FerretDB scans for `$in` finds and updates). Only
   * the ids that were already marked are read back (all of them when a batch's write is resumed:
   * then, when many, by streaming the collection once instead of a long `$in`).
   */
  async claimArchived(batchId: string, orderIds: readonly string[]): Promise<Set<string>> {
    const col = this.db.collection<{ _id: string; batch: string }>(COLLECTIONS.archivedIds);
    const taken = new Set<string>();
    for (const chunk of chunks(orderIds, this.inChunk)) {
      let dups: string[] = [];
      try {
        await col.insertMany(chunk.map((id) => ({ _id: id, batch: batchId })), { ordered: false });
      } catch (e) {
        const errs = e instanceof MongoBulkWriteError ? ((Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { index: number; code?: number }[]) : [];
        if (errs.length === 0 || errs.some((w) => w.code !== 11000)) throw new DependencyError('mongodb', `marking archived orders in ${COLLECTIONS.archivedIds} failed; is the stack up? (npm run stack -- status)`, { cause: e });
        dups = errs.map((w) => chunk[w.index]!);
      }
      if (dups.length === 0) continue;
      const marks = await this.byIds(COLLECTIONS.archivedIds, '_id', dups, 'reading archived marks', undefined, 1_000);
      for (const m of marks) if (m.batch !== batchId) taken.add(String(m._id));
    }
    return taken;
  }

  async countPresent(orderIds: readonly string[]): Promise<number> {
    const docs = await this.byIds(COLLECTIONS.fact, 'order_id', orderIds, 'counting orders', { _id: 0, order_id: 1 });
    return docs.length;
  }

  async readSize(): Promise<HotSize> {
    const existing = new Set((await wrap('listing collections', this.db.listCollections({}, { nameOnly: true }).toArray())).map((c) => c.name));
    const collections: CollectionSize[] = [];
    for (const name of this.measured) {
      if (!existing.has(name)) {
        collections.push({ name, count: 0, dataBytes: 0, storageBytes: 0, indexBytes: 0 });
        continue;
      }
      const s = await wrap(`collStats ${name}`, this.db.command({ collStats: name }));
      collections.push({ name, count: num(s.count), dataBytes: num(s.size), storageBytes: num(s.storageSize), indexBytes: num(s.totalIndexSize) });
    }
    return { collections };
  }
}
