/**
 * MongoDB adapter: the only place (with shared/mongo/*) that imports the mongodb driver.
 * Works with FerretDB (local default) and MongoDB 7 (MONGO_URL). Portable features only:
 * no transactions, no $lookup/$facet/$dateTrunc, $group accumulators limited to $sum/$count.
 */
import { MongoClient, type Db, type IndexDescription } from 'mongodb';
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
  payments: 'payments_dim',
} as const;

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
    for (const c of [COLLECTIONS.customers, COLLECTIONS.products, COLLECTIONS.payments]) {
      await db.createCollection(c).catch((e: unknown) => {
        if ((e as { codeName?: string }).codeName !== 'NamespaceExists') throw e;
      });
    }
  } catch (cause) {
    throw new DependencyError('mongodb', 'could not create the star schema indexes', { cause });
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
}
