/**
 * The archive as a rebuild source (docs/archive.md: readArchivedOrders). Reads every `dt=`
 * directory of the storage WITHOUT the catalog: a superset of the registered partitions, so an
 * order of a batch that is written but not yet registered is read too. Orders present in both
 * the hot store and the archive are counted once by the store's exactly-once apply.
 */
import type { ArchiveStorage } from '../../archive/ports.ts';
import { readArchivedOrders } from '../../archive/reader.ts';
import type { OrderSource } from '../rebuild.ts';

export function archiveOrderSource(storage: ArchiveStorage): OrderSource {
  return {
    name: `archive:${storage.describe()}`,
    async *batches(batchSize: number) {
      let batch: unknown[] = [];
      for await (const row of readArchivedOrders(storage)) {
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}
