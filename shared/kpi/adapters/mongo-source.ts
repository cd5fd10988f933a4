/**
 * The hot store as a rebuild source: every orders_fact document (the KPI fields only).
 */
import type { Db, Document } from 'mongodb';
import { COLLECTIONS } from '../../adapters/mongo.ts';
import { DependencyError } from '../../platform/errors.ts';
import type { OrderSource } from '../rebuild.ts';
import { KPI_FIELDS } from '../types.ts';

/** The fields the KPI stage reads (and `_id`). */
const PROJECTION: Record<string, 1> = { _id: 1, ...Object.fromEntries(KPI_FIELDS.map((name) => [name, 1] as const)) };

export function hotOrderSource(db: Db, collection: string = COLLECTIONS.fact): OrderSource {
  return {
    name: `mongodb:${db.databaseName}.${collection}`,
    async *batches(batchSize: number) {
      // One cursor in natural order: facts are immutable (never updated, only inserted or
      // deleted by archive-move), so a scan returns every fact that exists throughout it; one
      // deleted meanwhile is in the archive, read after this source. (Paging by _id ranges was
      // measured ~6x slower on FerretDB/SQLite.)
      const cursor = db.collection(collection).find({}, { projection: PROJECTION, batchSize });
      let batch: Document[] = [];
      try {
        for await (const doc of cursor) {
          batch.push(doc);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      } catch (cause) {
        throw new DependencyError('mongodb', `reading ${collection} for the KPI rebuild failed; is the stack up? (npm run stack -- status)`, { cause });
      } finally {
        await cursor.close().catch(() => undefined);
      }
      if (batch.length > 0) yield batch;
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
