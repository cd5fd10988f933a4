/**
 * HotStore on MongoDB / FerretDB (adapter: the only archive module besides mongo-manifest.ts that
 * touches the driver). Portable operations only: find with $in / sort / limit, deleteMany,
 * collStats. No $lookup: dimension rows are fetched by id and joined in the application.
 *
 * FerretDB (SQLite backend) evaluates most filters by scanning the collection, so the cost of a
 * query is the number of documents it scans, not the size of its $in list: the adapter issues few,
 * large queries (see docs/archive.md "Performance").
 */
import { ObjectId, type Db, type Document, type Filter } from 'mongodb';
import { COLLECTIONS } from '../mongo/client.ts';
import { DependencyError } from '../errors.ts';
import type { CollectionSize, DimDoc, DimRows, FactDoc, HotSize, HotStore } from './hot-store.ts';

export interface MongoHotStoreOptions {
  /** Largest $in list per query (bounds the command size; default 20 000). */
  inChunk?: number;
  /** Collections measured by readSize (default: orders_fact and the three dimensions). */
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
  private readonly measured: string[];

  constructor(
    private readonly db: Db,
    opts: MongoHotStoreOptions = {},
  ) {
    this.inChunk = opts.inChunk ?? 20_000;
    this.measured = opts.measured ?? [COLLECTIONS.fact, COLLECTIONS.customers, COLLECTIONS.products, COLLECTIONS.payments];
  }

  private get facts() {
    return this.db.collection(COLLECTIONS.fact);
  }

  async oldestFacts(limit: number): Promise<FactDoc[]> {
    const docs = await wrap('reading the oldest orders', this.facts.find({}, { sort: { _id: 1 }, limit, batchSize: Math.min(limit, 10_000) }).toArray());
    return docs.map(factFromDoc);
  }

  async loadFacts(orderIds: readonly string[]): Promise<FactDoc[]> {
    const out: FactDoc[] = [];
    for (const chunk of chunks(orderIds, this.inChunk)) {
      const docs = await wrap('reading frozen orders', this.facts.find({ order_id: { $in: chunk } }, { batchSize: 10_000 }).toArray());
      for (const d of docs) out.push(factFromDoc(d));
    }
    return out;
  }

  private async dims(name: string, ids: readonly string[]): Promise<Map<string, DimDoc>> {
    const out = new Map<string, DimDoc>();
    for (const chunk of chunks(ids, this.inChunk)) {
      const docs = await wrap(`reading ${name}`, this.db.collection<{ _id: string }>(name).find({ _id: { $in: chunk } } as Filter<{ _id: string }>, { batchSize: 10_000 }).toArray());
      for (const d of docs) out.set(String(d._id), d as DimDoc);
    }
    return out;
  }

  async loadDims(ids: { customers: readonly string[]; products: readonly string[]; payments: readonly string[] }): Promise<DimRows> {
    return {
      customers: await this.dims(COLLECTIONS.customers, ids.customers),
      products: await this.dims(COLLECTIONS.products, ids.products),
      payments: await this.dims(COLLECTIONS.payments, ids.payments),
    };
  }

  async deleteOrders(orderIds: readonly string[]): Promise<number> {
    let n = 0;
    for (const chunk of chunks(orderIds, this.inChunk)) n += (await wrap('deleting archived orders', this.facts.deleteMany({ order_id: { $in: chunk } }))).deletedCount;
    return n;
  }

  async countPresent(orderIds: readonly string[]): Promise<number> {
    let n = 0;
    for (const chunk of chunks(orderIds, this.inChunk)) n += await wrap('counting orders', this.facts.countDocuments({ order_id: { $in: chunk } }));
    return n;
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
