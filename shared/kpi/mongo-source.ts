/**
 * The hot store as a rebuild source: orders_fact in _id order, in pages keyed by the last _id
 * (no long-lived cursor, so FerretDB and deletions by archive-move during the scan are fine).
 */
import type { Db, Document } from 'mongodb';
import { COLLECTIONS } from '../mongo/client.ts';
import { DependencyError } from '../errors.ts';
import type { OrderSource } from './rebuild.ts';

const PROJECTION = {
  _id: 1,
  order_id: 1,
  order_timestamp: 1,
  quantity: 1,
  total_amount: 1,
  order_status: 1,
  customer_id: 1,
  segment: 1,
  state: 1,
  product_id: 1,
  product_name: 1,
  product_category: 1,
  payment_method: 1,
  payment_status: 1,
  processing_ms: 1,
} as const;

export function hotOrderSource(db: Db, collection: string = COLLECTIONS.fact): OrderSource {
  return {
    name: `mongodb:${db.databaseName}.${collection}`,
    async *batches(batchSize: number) {
      const coll = db.collection(collection);
      let last: Document["_id"] = undefined;
      for (;;) {
        let page: Document[];
        try {
          page = await coll
            .find(last === undefined ? {} : { _id: { $gt: last } } as Document, { projection: PROJECTION })
            .sort({ _id: 1 })
            .limit(batchSize)
            .toArray();
        } catch (cause) {
          throw new DependencyError('mongodb', `reading ${collection} for the KPI rebuild failed; is the stack up? (npm run stack -- status)`, { cause });
        }
        if (page.length === 0) return;
        last = page[page.length - 1]?._id;
        yield page;
        if (page.length < batchSize) return;
      }
    },
  };
}

/** Any in-memory list as a source (tests, archive rows already read). */
export function listSource(name: string, rows: readonly unknown[]): OrderSource {
  return {
    name,
    async *batches(batchSize: number) {
      for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
    },
  };
}
