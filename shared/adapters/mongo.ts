/**
 * MongoDB adapter: the only place (with shared/mongo/*) that imports the mongodb driver.
 * Works with FerretDB (local default) and MongoDB 7 (MONGO_URL). Portable features only:
 * no transactions, no $lookup/$facet/$dateTrunc, $group accumulators limited to $sum/$count.
 */
import { MongoClient, type Db, type IndexDescription } from 'mongodb';
import type { Config } from '../platform/config.ts';
import { DependencyError } from '../platform/errors.ts';

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectMongo(config: Config, dbName: string = config.mongoDb): Promise<MongoHandle> {
  const client = new MongoClient(config.mongoUrl, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20, retryWrites: false });
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

/** Create collections and indexes (idempotent). */
export async function ensureSchema(db: Db): Promise<void> {
  try {
    // One index per call: FerretDB v1.24.2 drops the connection (server panic) when a single
    // createIndexes names two or more indexes that all exist already, i.e. on every restart.
    const specs: IndexDescription[] = [
      { key: { order_id: 1 }, name: 'order_id_unique', unique: true },
      { key: { order_timestamp: 1 }, name: 'order_timestamp' },
    ];
    for (const spec of specs) {
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
