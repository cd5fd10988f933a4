/**
 * MongoDB adapters of the archive's bookkeeping: the batch manifest (`archive_manifest`), the
 * move lease and archive-check's last reading (both in `archive_status`). Single-document
 * atomic operations only (FerretDB has no multi-document transactions).
 */
import { MongoServerError, type Collection, type Db } from 'mongodb';
import { DependencyError, InvariantError } from '../../platform/errors.ts';
import type { CheckReading, StatusStore } from '../check.ts';
import type { LockState, ManifestStore, MoveLock } from '../hot-store.ts';
import { assertAdvance, type BatchManifest, type BatchStep } from '../manifest.ts';

export const ARCHIVE_COLLECTIONS = { manifest: 'archive_manifest', status: 'archive_status' } as const;

const LOCK_ID = 'move-lock';
const READING_ID = 'check';

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

function wrap<T>(what: string, p: Promise<T>): Promise<T> {
  return p.catch((cause: unknown) => {
    if (cause instanceof InvariantError) throw cause;
    throw new DependencyError('mongodb', `${what} failed; is the stack up? (npm run stack -- status)`, { cause });
  });
}

export class MongoManifestStore implements ManifestStore {
  private readonly col: Collection<BatchManifest>;

  constructor(db: Db) {
    this.col = db.collection<BatchManifest>(ARCHIVE_COLLECTIONS.manifest);
  }

  async create(batch: BatchManifest): Promise<{ batch: BatchManifest; created: boolean }> {
    try {
      await this.col.insertOne(batch);
      return { batch, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw new DependencyError('mongodb', `recording batch ${batch._id} failed; is the stack up? (npm run stack -- status)`, { cause: err });
    }
    const existing = await this.get(batch._id);
    if (!existing) throw new InvariantError(`batch ${batch._id}: duplicate key on insert but no document found`);
    return { batch: existing, created: false };
  }

  async get(batchId: string): Promise<BatchManifest | undefined> {
    return (await wrap(`reading batch ${batchId}`, this.col.findOne({ _id: batchId }))) ?? undefined;
  }

  async advance(batchId: string, from: BatchStep, to: BatchStep, patch: Partial<BatchManifest>): Promise<BatchManifest> {
    assertAdvance(batchId, from, to);
    const at = new Date();
    const { _id: _ignored, step: _s, history: _h, ...fields } = patch;
    const next = await wrap(
      `advancing batch ${batchId} to ${to}`,
      this.col.findOneAndUpdate({ _id: batchId, step: from }, { $set: { ...fields, step: to, updated_at: at }, $push: { history: { step: to, at } } }, { returnDocument: 'after' }),
    );
    if (!next) {
      const current = await this.get(batchId);
      throw new InvariantError(`batch ${batchId}: expected step ${from}, found ${current?.step ?? 'no batch'} (another archive-move advanced it?)`);
    }
    return next;
  }

  async inFlight(): Promise<BatchManifest[]> {
    return wrap('listing in-flight batches', this.col.find({ step: { $ne: 'deleted' } }, { sort: { created_at: 1, _id: 1 } }).toArray());
  }

  async list(): Promise<BatchManifest[]> {
    return wrap('listing batches', this.col.find({}, { sort: { created_at: 1, _id: 1 } }).toArray());
  }
}

interface LockDoc {
  _id: string;
  owner: string;
  expires_at: Date;
  acquired_at: Date;
}

/** The move lease: one document; taken when absent or expired, renewed by its owner, deleted on release. */
export class MongoMoveLock implements MoveLock {
  private readonly col: Collection<LockDoc>;

  constructor(db: Db) {
    this.col = db.collection<LockDoc>(ARCHIVE_COLLECTIONS.status);
  }

  async acquire(owner: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    try {
      const doc = await this.col.findOneAndUpdate(
        { _id: LOCK_ID, $or: [{ expires_at: { $lte: now } }, { owner }] },
        { $set: { owner, expires_at: new Date(now.getTime() + ttlMs), acquired_at: now } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc?.owner === owner;
    } catch (err) {
      if (isDuplicateKey(err)) return false; // held by someone else: the upsert collided with the existing lock
      throw new DependencyError('mongodb', 'taking the archive-move lease failed; is the stack up? (npm run stack -- status)', { cause: err });
    }
  }

  async renew(owner: string, ttlMs: number): Promise<boolean> {
    const res = await wrap('renewing the archive-move lease', this.col.updateOne({ _id: LOCK_ID, owner }, { $set: { expires_at: new Date(Date.now() + ttlMs) } }));
    return res.matchedCount === 1;
  }

  async release(owner: string): Promise<void> {
    await wrap('releasing the archive-move lease', this.col.deleteOne({ _id: LOCK_ID, owner }));
  }

  async holder(): Promise<LockState | undefined> {
    const doc = await wrap('reading the archive-move lease', this.col.findOne({ _id: LOCK_ID }));
    if (!doc || doc.expires_at.getTime() <= Date.now()) return undefined;
    return { owner: doc.owner, expiresAt: doc.expires_at };
  }
}

export class MongoStatusStore implements StatusStore {
  private readonly col: Collection<CheckReading & { _id: string }>;

  constructor(db: Db) {
    this.col = db.collection<CheckReading & { _id: string }>(ARCHIVE_COLLECTIONS.status);
  }

  async save(reading: CheckReading): Promise<void> {
    await wrap('saving the archive-check reading', this.col.replaceOne({ _id: READING_ID }, reading, { upsert: true }));
  }

  async load(): Promise<CheckReading | undefined> {
    const doc = await wrap('reading the archive-check reading', this.col.findOne({ _id: READING_ID }));
    if (!doc) return undefined;
    const { _id: _ignored, ...reading } = doc;
    return reading;
  }
}
