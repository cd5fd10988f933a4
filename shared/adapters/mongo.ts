/**
 * MongoDB adapter: the only place (with shared/mongo/*) that imports the mongodb driver.
 * Works with FerretDB (local default) and MongoDB 7 (MONGO_URL). Portable features only:
 * no transactions, no $lookup/$facet/$dateTrunc, $group accumulators limited to $sum/$count.
 */
import { MongoBulkWriteError, MongoClient, type Db, type IndexDescription } from 'mongodb';
import type { Config } from '../platform/config.ts';
import { ConfigError, DependencyError } from '../platform/errors.ts';

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectMongo(config: Config, dbName: string = config.mongoDb): Promise<MongoHandle> {
  // Writes are acknowledged by a majority of the replica set (MONGO_WRITE_CONCERN; FerretDB, a
  // single server, accepts w: majority and acknowledges it itself).
  const client = new MongoClient(config.mongoUrl, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20, retryWrites: false, writeConcern: { w: config.mongoWriteConcern } });
  try {
    await client.connect();
  } catch (cause) {
    throw new DependencyError('mongodb', `cannot connect to ${config.mongoUrl}; is the stack up? (npm run stack -- status)`, { cause });
  }
  return { client, db: client.db(dbName), close: () => client.close() };
}

export const COLLECTIONS = {
  fact: 'orders_fact',
  customers: 'customers_dim',
  products: 'products_dim',
  /**
   * Legacy: one row per order, written by ingest before payments were folded into the fact
   * (shared/contract/order.ts FOLDED_DIMENSIONS). Not written or created any more; archive-move
   * reads it only for facts without `payment_attrs` (docs/archive.md "Payments folded into the fact").
   */
  payments: 'payments_dim',
  /**
   * The order-id registry, never archived: `{_id: order_id, content_hash}`. Ingest inserts an
   * order_id here before its fact (the insert IS the uniqueness check, so an archived order
   * replayed from Kafka is still a duplicate). docs/ingest.md "Order-id registry".
   */
  registry: 'order_ids',
  /**
   * Orders archive-move has taken, never deleted: `{_id: order_id, batch}`, inserted when a
   * batch's files are written (before its facts are deleted). Inserts, not updates of the
   * registry: FerretDB answers `_id` uniqueness from its primary key but scans for `$in` updates.
   */
  archivedIds: 'order_ids_archived',
  /** Markers of one-time set-up steps (`{_id: step, at}`). */
  setupState: 'setup_state',
} as const;

/** The setup_state marker written once the registry holds every fact of orders_fact. */
export const REGISTRY_BACKFILL_MARKER = 'order_ids_backfill';

/** The fact collection's indexes. The unique order_id index is what makes an order_id a first-wins fact. */
const FACT_INDEXES: IndexDescription[] = [
  { key: { order_id: 1 }, name: 'order_id_unique', unique: true },
  { key: { order_timestamp: 1 }, name: 'order_timestamp' },
];

/** Create collections and indexes (idempotent; the set-up step's MongoDB half). */
export async function ensureSchema(db: Db): Promise<void> {
  try {
    // One index per call: FerretDB v1.24.2 drops the connection (server panic) when a single
    // createIndexes names two or more indexes that all exist already, i.e. on every restart.
    for (const spec of FACT_INDEXES) {
      await db.collection(COLLECTIONS.fact).createIndexes([spec]);
    }
    for (const c of [COLLECTIONS.customers, COLLECTIONS.products, COLLECTIONS.registry, COLLECTIONS.archivedIds]) {
      await db.createCollection(c).catch((e: unknown) => {
        if ((e as { codeName?: string }).codeName !== 'NamespaceExists') throw e;
      });
    }
  } catch (cause) {
    throw new DependencyError('mongodb', 'could not create the star schema indexes', { cause });
  }
  await backfillRegistry(db);
}

/**
 * Migration (idempotent): put every order_id of orders_fact into the registry, once. Stores set up
 * before the registry existed hold facts the registry does not know; without them a replay of
 * such an order after it is archived would be inserted again. Skipped when the marker exists
 * (ingest keeps registry ⊇ facts from then on: it registers before it inserts). Returns how many
 * order_ids were added (0 when already done).
 */
export async function backfillRegistry(db: Db, chunkSize = 10_000): Promise<number> {
  try {
    const state = db.collection<{ _id: string; at: Date; added: number }>(COLLECTIONS.setupState);
    if ((await state.findOne({ _id: REGISTRY_BACKFILL_MARKER })) !== null) return 0;
    const registry = db.collection<{ _id: string; content_hash: string }>(COLLECTIONS.registry);
    const cursor = db.collection(COLLECTIONS.fact).find({}, { projection: { _id: 0, order_id: 1, content_hash: 1 }, batchSize: chunkSize });
    let added = 0;
    let buf: { _id: string; content_hash: string }[] = [];
    const flush = async (): Promise<void> => {
      if (buf.length === 0) return;
      const docs = buf;
      buf = [];
      try {
        added += (await registry.insertMany(docs, { ordered: false })).insertedCount;
      } catch (e) {
        // Already registered (an earlier, interrupted backfill): first wins, like ingest.
        if (!(e instanceof MongoBulkWriteError)) throw e;
        const errs = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { code?: number }[];
        if (errs.some((w) => w.code !== 11000)) throw e;
        added += e.insertedCount;
      }
    };
    for await (const f of cursor) {
      buf.push({ _id: String(f.order_id), content_hash: String(f.content_hash) });
      if (buf.length >= chunkSize) await flush();
    }
    await flush();
    await state.updateOne({ _id: REGISTRY_BACKFILL_MARKER }, { $set: { at: new Date(), added } }, { upsert: true });
    return added;
  } catch (cause) {
    throw new DependencyError('mongodb', `could not backfill the order-id registry (${COLLECTIONS.registry}) from ${COLLECTIONS.fact}; rerun \`npm run setup\``, { cause });
  }
}

/**
 * Refuse to write facts into a store that was never set up: without the unique order_id index a
 * redelivered order would be stored twice. One listIndexes per process start (ingest's open).
 */
export async function assertSchema(db: Db): Promise<void> {
  let names: string[];
  try {
    names = (await db.collection(COLLECTIONS.fact).listIndexes().toArray()).map((i) => String(i.name));
  } catch (cause) {
    // A collection that does not exist yet has no indexes either.
    if ((cause as { codeName?: string }).codeName !== 'NamespaceNotFound') throw new DependencyError('mongodb', 'could not list the star schema indexes', { cause });
    names = [];
  }
  if (!names.includes('order_id_unique')) {
    throw new ConfigError(`database ${db.databaseName} is not set up (no unique index on ${COLLECTIONS.fact}.order_id): run \`npm run setup\` against it (the local pipeline runs it at start-up), then retry`);
  }
  let marker: unknown;
  try {
    marker = await db.collection<{ _id: string }>(COLLECTIONS.setupState).findOne({ _id: REGISTRY_BACKFILL_MARKER });
  } catch (cause) {
    throw new DependencyError('mongodb', 'could not read the set-up state', { cause });
  }
  if (marker === null) {
    throw new ConfigError(`database ${db.databaseName} has facts the order-id registry (${COLLECTIONS.registry}) may not know: run \`npm run setup\` against it (it backfills the registry once), then retry`);
  }
}
