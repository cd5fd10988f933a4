/**
 * IngestStore on MongoDB / FerretDB (the only ingest module that imports the driver).
 * Facts: one unordered `insert` command; duplicate-key write errors (code 11000, one per document,
 * reported by both MongoDB and FerretDB) name the order_ids that already exist.
 * Dimensions: insertMany ordered:false ignoring duplicate keys on _id (first wins).
 * Registry: insertMany ordered:false of `{_id: order_id, content_hash}` (small documents, `_id`
 * unique by itself); duplicate keys name the order_ids already registered; known ones are read
 * back from the registry by `_id` (one equality query per id when few, else one `$in`), never
 * from orders_fact (FerretDB decodes the whole collection for a query on order_id).
 */
import { BSON, MongoBulkWriteError, MongoServerError, type Collection, type Db, type Document, type Filter, type WriteConcern } from 'mongodb';
import { DependencyError } from '../../platform/errors.ts';
import { COLLECTIONS } from '../../adapters/mongo.ts';
import type { DimRow, DimensionRows, FactDoc, IngestStore, InsertFactsResult, Registered } from '../types.ts';

/** A document of the order-id registry (COLLECTIONS.registry). */
interface RegistryDoc {
  _id: string;
  content_hash: string;
}

const DUPLICATE_KEY = 11000;

interface IndexedWriteError {
  index: number;
  code: number | undefined;
  message: string;
}

function writeErrorsOf(e: MongoBulkWriteError): IndexedWriteError[] {
  const raw = e.writeErrors as unknown;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.map((w: { index: number; code?: number; errmsg?: string; message?: string }) => ({ index: w.index, code: w.code, message: w.errmsg ?? w.message ?? '' }));
}

/**
 * Insert `docs` unordered; returns the indexes of documents rejected as duplicate keys; throws
 * DependencyError for any other failure (the caller's batch is then redelivered, idempotently).
 *
 * One `insert` command, not `insertMany`: the driver's bulk layer computes every document's BSON
 * size before serialising it again and assigns each an ObjectId, about a third of the driver's
 * CPU on this path (docs/ingest.md, "Profiles"); the server assigns `_id` where it is missing,
 * as it does for any insert. A command too large for one BSON message (over 16 MiB, so nothing
 * was sent) falls back to insertMany, which splits it.
 */
export async function insertManyIgnoringDuplicates<T extends Document>(coll: Collection<T>, docs: T[], what: string): Promise<number[]> {
  if (docs.length === 0) return [];
  let reply: InsertReply;
  try {
    reply = (await coll.db.command({ insert: coll.collectionName, documents: docs, ordered: false, ...writeConcernOf(coll) })) as InsertReply;
  } catch (e) {
    if (e instanceof RangeError || e instanceof BSON.BSONError) return insertManyFallback(coll, docs, what);
    throw new DependencyError('mongodb', `insert into ${what} failed; is the stack up? (npm run stack -- status)`, { cause: e });
  }
  const errs = reply.writeErrors ?? [];
  const other = errs.find((w) => w.code !== DUPLICATE_KEY);
  if (other !== undefined || reply.writeConcernError != null || reply.n + errs.length !== docs.length) {
    throw new DependencyError('mongodb', `insert into ${what} failed: ${other?.errmsg ?? (reply.writeConcernError != null ? JSON.stringify(reply.writeConcernError) : `${reply.n} of ${docs.length} inserted, ${errs.length} duplicate keys`)}`);
  }
  return errs.map((w) => w.index);
}

/** The reply of an `insert` command (MongoDB and FerretDB). */
interface InsertReply {
  n: number;
  writeErrors?: { index: number; code?: number; errmsg?: string }[];
  writeConcernError?: unknown;
}

/** The collection's write concern as a command field (absent: the server's default). */
function writeConcernOf(coll: { writeConcern?: WriteConcern | undefined }): { writeConcern?: Document } {
  const wc = coll.writeConcern;
  if (wc === undefined) return {};
  const out: Document = {};
  if (wc.w !== undefined) out.w = wc.w;
  if (wc.journal !== undefined) out.j = wc.journal;
  if (wc.wtimeoutMS !== undefined) out.wtimeout = wc.wtimeoutMS;
  return Object.keys(out).length > 0 ? { writeConcern: out } : {};
}

/** insertMany ordered:false (the driver splits what one command cannot carry). */
async function insertManyFallback<T extends Document>(coll: Collection<T>, docs: T[], what: string): Promise<number[]> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await coll.insertMany(docs as any[], { ordered: false });
    return [];
  } catch (e) {
    if (e instanceof MongoBulkWriteError) {
      const errs = writeErrorsOf(e);
      const other = errs.find((w) => w.code !== DUPLICATE_KEY);
      const hasConcernError = (e as { writeConcernError?: unknown }).writeConcernError != null;
      if (other === undefined && !hasConcernError && errs.length > 0 && e.insertedCount + errs.length === docs.length) {
        return errs.map((w) => w.index);
      }
      throw new DependencyError('mongodb', `insert into ${what} failed: ${other?.message ?? e.message}`, { cause: e });
    }
    if (e instanceof MongoServerError && e.code === DUPLICATE_KEY && docs.length === 1) return [0];
    throw new DependencyError('mongodb', `insert into ${what} failed; is the stack up? (npm run stack -- status)`, { cause: e });
  }
}

/** `_id` equality queries in flight at once. */
const LOOKUP_CONCURRENCY = 8;
/**
 * Up to this many ids are read by one `_id` equality query each, more by one `$in`. FerretDB
 * (SQLite) pushes `_id` equality down to SQLite but answers `$in` by decoding every document of
 * the collection: both cost in proportion to the collection, an `$in` about 50 equality queries'
 * worth (measured: docs/ingest.md, "Profiles"). On MongoDB both are index look-ups.
 */
export const PER_ID_LOOKUP_MAX = 48;

/** Run `fn` for every item, at most `limit` at a time; rejects with the first failure. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The documents of `coll` with these `_id`s (absent ones are absent), the cheaper way for the count. */
async function byIds<T extends { _id: string }>(coll: Collection<T>, ids: readonly string[]): Promise<T[]> {
  if (ids.length > PER_ID_LOOKUP_MAX) return (await coll.find({ _id: { $in: ids } } as Filter<T>).toArray()) as T[];
  const out: T[] = [];
  await forEachLimit(ids, LOOKUP_CONCURRENCY, async (id) => {
    const d = await coll.findOne({ _id: id } as Filter<T>);
    if (d !== null) out.push(d as T);
  });
  return out;
}

export function createMongoStore(db: Db): IngestStore {
  const facts = db.collection<FactDoc>(COLLECTIONS.fact);
  const registry = db.collection<RegistryDoc>(COLLECTIONS.registry);
  const archived = db.collection<{ _id: string; batch: string }>(COLLECTIONS.archivedIds);
  const dims = {
    customers: db.collection<DimRow>(COLLECTIONS.customers),
    products: db.collection<DimRow>(COLLECTIONS.products),
  };
  return {
    async registerOrders(entries): Promise<InsertFactsResult> {
      const docs: RegistryDoc[] = entries.map((e) => ({ _id: e.order_id, content_hash: e.content_hash }));
      const dupIdx = await insertManyIgnoringDuplicates(registry, docs, COLLECTIONS.registry);
      return { duplicates: dupIdx.map((i) => (docs[i] as RegistryDoc)._id) };
    },
    async registered(orderIds) {
      const out = new Map<string, Registered>();
      if (orderIds.length === 0) return out;
      try {
        const [regs, gone] = await Promise.all([byIds(registry, orderIds), byIds(archived, orderIds)]);
        const isArchived = new Set(gone.map((g) => g._id));
        for (const r of regs) out.set(r._id, { content_hash: r.content_hash, archived: isArchived.has(r._id) });
      } catch (cause) {
        throw new DependencyError('mongodb', `reading the order-id registry (${COLLECTIONS.registry}) failed`, { cause });
      }
      return out;
    },
    async insertFacts(docs): Promise<InsertFactsResult> {
      const dupIdx = await insertManyIgnoringDuplicates(facts, docs, COLLECTIONS.fact);
      return { duplicates: dupIdx.map((i) => (docs[i] as FactDoc).order_id) };
    },
    async factHashes(orderIds) {
      const out = new Map<string, string>();
      if (orderIds.length === 0) return out;
      try {
        const rows = await facts.find({ order_id: { $in: orderIds } }, { projection: { _id: 0, order_id: 1, content_hash: 1 } }).toArray();
        for (const r of rows) out.set(r.order_id, r.content_hash);
      } catch (cause) {
        throw new DependencyError('mongodb', `reading content hashes from ${COLLECTIONS.fact} failed`, { cause });
      }
      return out;
    },
    async insertDimensions(rows: DimensionRows) {
      await Promise.all([
        insertManyIgnoringDuplicates(dims.customers, rows.customers, COLLECTIONS.customers),
        insertManyIgnoringDuplicates(dims.products, rows.products, COLLECTIONS.products),
      ]);
    },
  };
}
