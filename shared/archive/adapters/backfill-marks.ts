/**
 * Migration of an archive written before `order_ids_archived` existed (opt-in, once: `npm run
 * setup -- --backfill-archive`): read every archived row's `order_id`, `content_hash` and
 * `batch_id` and insert the archived mark (`{_id: order_id, batch}`) and the registry entry
 * (`{_id: order_id, content_hash}`; rows without a hash, from very old facts, get a mark only).
 * Idempotent: duplicate keys are skipped (first wins, like ingest and archive-move), and a marker
 * (`setup_state._id = 'order_ids_archived_backfill'`) makes a second run a no-op.
 *
 * Opt-in because the archive location and the database are configured separately: a fresh test
 * database pointed at a shared archive folder must not learn other runs' orders.
 */
import { MongoBulkWriteError, type Db } from 'mongodb';
import { COLLECTIONS } from '../../adapters/mongo.ts';
import { DependencyError } from '../../platform/errors.ts';
import type { ArchiveStorage } from '../ports.ts';
import { readArchivedOrders } from '../reader.ts';

export const ARCHIVE_BACKFILL_MARKER = 'order_ids_archived_backfill';

export interface ArchiveBackfillResult {
  /** false: the marker existed, nothing was read. */
  ran: boolean;
  rows: number;
  marked: number;
  registered: number;
}

async function insertIgnoringDuplicates(db: Db, collection: string, docs: { _id: string }[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await db.collection<{ _id: string }>(collection).insertMany(docs, { ordered: false })).insertedCount;
  } catch (e) {
    if (!(e instanceof MongoBulkWriteError)) throw e;
    const errs = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { code?: number }[];
    if (errs.some((w) => w.code !== 11000)) throw e;
    return e.insertedCount;
  }
}

export async function backfillArchiveMarks(db: Db, storage: ArchiveStorage, chunkSize = 10_000): Promise<ArchiveBackfillResult> {
  const state = db.collection<{ _id: string; at: Date }>(COLLECTIONS.setupState);
  const out: ArchiveBackfillResult = { ran: false, rows: 0, marked: 0, registered: 0 };
  try {
    if ((await state.findOne({ _id: ARCHIVE_BACKFILL_MARKER })) !== null) return out;
  } catch (cause) {
    throw new DependencyError('mongodb', 'could not read the set-up state; is the stack up? (npm run stack -- status)', { cause });
  }
  out.ran = true;
  let marks: { _id: string; batch: string }[] = [];
  let regs: { _id: string; content_hash: string }[] = [];
  const flush = async (): Promise<void> => {
    const [m, r] = [marks, regs];
    marks = [];
    regs = [];
    out.marked += await insertIgnoringDuplicates(db, COLLECTIONS.archivedIds, m);
    out.registered += await insertIgnoringDuplicates(db, COLLECTIONS.registry, r);
  };
  try {
    for await (const row of readArchivedOrders(storage)) {
      out.rows++;
      marks.push({ _id: row.order_id, batch: row.batch_id });
      if (typeof row.content_hash === 'string' && row.content_hash !== '') regs.push({ _id: row.order_id, content_hash: row.content_hash });
      if (marks.length >= chunkSize) await flush();
    }
    await flush();
    await state.updateOne({ _id: ARCHIVE_BACKFILL_MARKER }, { $set: { at: new Date(), ...out } }, { upsert: true });
  } catch (cause) {
    if (cause instanceof DependencyError) throw cause;
    throw new DependencyError('archive', `backfilling ${COLLECTIONS.archivedIds} from the archive at ${storage.describe()} failed; is the archive reachable (npm run stack -- status --all)? Rerun \`npm run setup -- --backfill-archive\``, { cause });
  }
  return out;
}
