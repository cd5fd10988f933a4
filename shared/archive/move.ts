/**
 * The archive-move core: freeze → write → verify → register → delete, one batch at a time,
 * recorded step by step in the manifest so that a crash anywhere resumes without loss or
 * duplicates. Pure logic over injected ports (hot-store.ts, ports.ts).
 *
 * Invariants:
 * - the batch is its frozen order_id set, recorded before anything is written; only those ids are
 *   ever deleted, and only after the files were read back and matched them exactly;
 * - a new batch is frozen only when no batch is in flight (the previous batch's ids are gone from
 *   the hot store), and only by the holder of the move lease, so no order lands in two batches;
 * - every step is idempotent: file names are deterministic (a rewrite replaces), catalog calls are
 *   idempotent, deleting an already deleted id is a no-op;
 * - an order_id is written by one batch only, ever: the write step claims the batch's ids in
 *   `order_ids_archived` (HotStore.claimArchived) and skips ids another batch claimed.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { DependencyError, InvariantError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';
import { sizeFacts } from './check.ts';
import { dimIdsOf, groupByDt, toArchiveRow } from './denormalise.ts';
import type { FactDoc, HotStore, ManifestStore, MoveLock } from './hot-store.ts';
import { dtOf, filePath } from './layout.ts';
import { newBatch, type BatchFile, type BatchManifest, type BatchStep } from './manifest.ts';
import { decodeArchiveFile, encodeArchiveFile, type ArchiveCodec } from './parquet.ts';
import type { ArchiveRow } from './schema.ts';
import type { ArchiveStorage, Catalog } from './ports.ts';
import { DEFAULT_TARGET, ordersTableDef, partitionLocation, type ArchiveTarget } from './table.ts';
import { assertNoProblems, compareFile, compareIdUnion, summarise } from './verify.ts';

export interface MoveDeps {
  hot: HotStore;
  manifests: ManifestStore;
  lock: MoveLock;
  storage: ArchiveStorage;
  catalog: Catalog;
  log: Logger;
  now?: () => Date;
}

export interface MoveHooks {
  /** Called after each step is recorded in the manifest (tests inject crashes here). */
  afterStep?(batch: BatchManifest): Promise<void> | void;
  /** Called after each delete chunk (tests inject a crash in the middle of the delete). */
  afterDeleteChunk?(batchId: string, deletedSoFar: number, total: number): Promise<void> | void;
  /** Called after each Parquet file is encoded, with `performance.now()` at its start and end (the bench's time accounting). */
  encoded?(batchId: string, start: number, end: number): void;
}

export interface MoveOptions {
  /** Orders to move in total (resumed batches count); 0 only resumes in-flight batches. */
  orders: number;
  /** Largest batch (default 50 000). */
  maxBatch?: number;
  /**
   * Stop freezing new batches once the hot store (sizeFacts of readSize) is at or below this many
   * bytes (archive-check sends its low-water mark), so a duplicated or late invocation never
   * archives more than needed. In-flight batches are always completed.
   */
  untilBelowBytes?: number;
  target?: ArchiveTarget;
  codec?: ArchiveCodec;
  /**
   * Orders per delete call, by id list or by `_id` sub-range (default 32 000: FerretDB on SQLite
   * deletes a call's matches with one statement of one parameter per document, capped at 32 766,
   * and reads the whole remaining collection once per call, so the fewer calls the better;
   * MongoDB uses an index).
   */
  deleteChunk?: number;
  /**
   * A range-complete batch is deleted by its `_id` range (in sub-ranges of at most `deleteChunk`
   * orders, recorded at the freeze) when its newest `_id` was
   * created at least this long before the freeze (default 60 s): a fact inserted after the freeze
   * gets a newer ObjectId (its time is the inserting process's clock), so it cannot fall in the
   * range unless that clock lags by more than this. Otherwise (and for older manifests) the
   * delete goes by id list in `deleteChunk`s. See rangeDeleteAllowed.
   */
  rangeDeleteMarginMs?: number;
  /** Move lease duration (default 120 s); renewed every third of it by a heartbeat and at every step. */
  lockTtlMs?: number;
  owner?: string;
  hooks?: MoveHooks;
}

export interface BatchReport {
  batch_id: string;
  resumed_from: BatchStep | null;
  orders: number;
  files: number;
  bytes: number;
  deleted: number;
  ms: number;
}

export interface MoveResult {
  status: 'done' | 'busy';
  requested: number;
  moved: number;
  batches: BatchReport[];
  /** Set when status is busy: who holds the lease. */
  holder?: string;
}

export const DEFAULT_MAX_BATCH = 50_000;
export const DEFAULT_DELETE_CHUNK = 32_000;
export const DEFAULT_LOCK_TTL_MS = 120_000;
export const DEFAULT_RANGE_DELETE_MARGIN_MS = 60_000;

/** The creation time (ms, second precision) an ObjectId's hex carries in its first 4 bytes. */
export function objectIdTimeMs(hex: string): number {
  return parseInt(hex.slice(0, 8), 16) * 1000;
}

/**
 * May the batch be deleted by its `_id` range? Only when it was range-complete at the freeze (every
 * fact in [first, last] was frozen) and no later insert can get an `_id` ≤ last: an ObjectId made
 * at time T carries floor(T) in seconds, so every insert after the freeze (clock lag ≤ marginMs)
 * carries at least `created_at − marginMs`, which must be past the last id's second.
 */
export function rangeDeleteAllowed(batch: Pick<BatchManifest, 'range_complete' | 'last_hot_id' | 'created_at'>, marginMs: number): boolean {
  if (batch.range_complete !== true) return false;
  return objectIdTimeMs(batch.last_hot_id) + 1000 <= new Date(batch.created_at).getTime() - marginMs;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `_id` sub-ranges of at most `size` consecutive ids (ids ascending): the delete's calls (and the bench floor's). */
export function subRanges<T>(sortedIds: readonly T[], size: number): { first: T; last: T }[] {
  const out: { first: T; last: T }[] = [];
  for (let i = 0; i < sortedIds.length; i += size) out.push({ first: sortedIds[i]!, last: sortedIds[Math.min(i + size, sortedIds.length) - 1]! });
  return out;
}

interface Encoded {
  rows: ArchiveRow[];
  bytes: Uint8Array;
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

class Mover {
  private readonly now: () => Date;
  private readonly target: ArchiveTarget;
  private readonly ttl: number;
  private readonly deleteChunk: number;
  private readonly rangeMargin: number;
  /** Set by the heartbeat when a renewal found the lease taken by someone else. */
  leaseLost = false;

  constructor(
    private readonly deps: MoveDeps,
    private readonly opts: MoveOptions,
    private readonly owner: string,
  ) {
    this.now = deps.now ?? (() => new Date());
    this.target = opts.target ?? DEFAULT_TARGET;
    this.ttl = opts.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    this.deleteChunk = opts.deleteChunk ?? DEFAULT_DELETE_CHUNK;
    this.rangeMargin = opts.rangeDeleteMarginMs ?? DEFAULT_RANGE_DELETE_MARGIN_MS;
  }

  /** Renew the lease now; throws when it was lost (the next run resumes the batch). */
  async keepLease(): Promise<void> {
    if (this.leaseLost || !(await this.deps.lock.renew(this.owner, this.ttl))) {
      this.leaseLost = true;
      throw new DependencyError('archive-lock', `archive-move ${this.owner} lost its lease (another move took it after ${this.ttl} ms without renewal); the next run resumes the batch`);
    }
  }

  /** Renew the lease every third of its duration while a long step runs. */
  startHeartbeat(): () => void {
    const timer = setInterval(() => {
      this.deps.lock.renew(this.owner, this.ttl).then(
        (ok) => {
          if (!ok) this.leaseLost = true;
        },
        (err: unknown) => this.deps.log.warn('archive-move: lease renewal failed (retrying)', { err }),
      );
    }, Math.max(50, Math.floor(this.ttl / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  private async advance(batch: BatchManifest, to: BatchStep, patch: Partial<BatchManifest>): Promise<BatchManifest> {
    await this.keepLease();
    const next = await this.deps.manifests.advance(batch._id, batch.step, to, patch);
    this.deps.log.info('archive batch step', { batch: batch._id, from: batch.step, step: to, orders: next.id_count });
    await this.opts.hooks?.afterStep?.(next);
    return next;
  }

  /** Record the oldest `limit` orders as a new batch; returns it with the documents read (to write without a second read). */
  async freeze(limit: number): Promise<{ batch: BatchManifest; facts: FactDoc[] } | undefined> {
    await this.keepLease();
    const refs = await this.deps.hot.oldestFacts(limit);
    const first = refs[0];
    const last = refs.at(-1);
    if (!first || !last) return undefined;
    const batch = newBatch({
      firstHotId: first.hot_id,
      lastHotId: last.hot_id,
      ids: refs.map((r) => r.order_id),
      dts: refs.map((r) => dtOf(r.order_timestamp)),
      storage: this.deps.storage.describe(),
      catalog: this.deps.catalog.describe(),
      now: this.now(),
      rangeComplete: true,
      deleteRanges: subRanges(refs.map((r) => r.hot_id), this.deleteChunk),
    });
    const { batch: stored, created } = await this.deps.manifests.create(batch);
    if (stored.step === 'deleted') throw new InvariantError(`batch ${stored._id} was already archived, yet its first order is still in the hot store`);
    this.deps.log.info('archive batch frozen', { batch: stored._id, orders: stored.id_count, dts: stored.dts.length });
    await this.opts.hooks?.afterStep?.(stored);
    // A batch found already recorded (same first/last _id) is resumed from the store, not from this read.
    return { batch: stored, facts: created ? refs : [] };
  }

  /**
   * One Parquet file per `dt`, encoded in memory. Yields to the event loop before each file, so
   * requests already started (the archive marks) reach the server while the CPU encodes.
   */
  private async encode(batchId: string, rows: ArchiveRow[]): Promise<Map<string, Encoded>> {
    const out = new Map<string, Encoded>();
    for (const [dt, group] of groupByDt(rows)) {
      await yieldToIo();
      const t0 = performance.now();
      out.set(dt, { rows: group, bytes: encodeArchiveFile(group, { batchId, codec: this.opts.codec }) });
      this.opts.hooks?.encoded?.(batchId, t0, performance.now());
    }
    return out;
  }

  /** Write the batch's files; `preloaded` are the documents read at freeze time (else re-read the ids still present). */
  async write(batch: BatchManifest, preloaded?: FactDoc[]): Promise<BatchManifest> {
    const { hot, storage } = this.deps;
    const ms = { load: 0, encode: 0, store: 0 };
    let t = performance.now();
    const loaded = preloaded && preloaded.length > 0 ? preloaded : await hot.loadFacts(batch.ids);
    const frozen = new Set(batch.ids);
    for (const f of loaded) if (!frozen.has(f.order_id)) throw new InvariantError(`batch ${batch._id}: hot store returned order ${f.order_id} outside the frozen set`);
    // Every order once in the archive, for ever: mark the batch's orders as archived by it; an
    // order another batch already archived (a replay re-inserted it into the hot store before
    // the registry existed, or raced its archiving) is not written again, only deleted from the hot store.
    // The marks are an insert the hot store works on by itself: while it runs, read the dimension
    // rows (dimension rows of an order left out below are simply unused) and encode the files for
    // every loaded order; no file is put before the marks are in, and when another batch had
    // taken some orders the files are encoded again without them.
    const claiming = hot.claimArchived(batch._id, loaded.map((f) => f.order_id));
    claiming.catch(() => undefined); // handled where it is awaited below, not as an unhandled rejection meanwhile
    let elsewhere: Set<string>;
    let encoded: Map<string, Encoded>;
    try {
      // Payment rows only for facts written before payments were folded into the fact (none on a new store: no read).
      const dims = await hot.loadDims(dimIdsOf(loaded));
      ms.load += performance.now() - t;
      const rows = loaded.map((f) => toArchiveRow(f, dims, batch._id));
      t = performance.now();
      encoded = await this.encode(batch._id, rows);
      ms.encode += performance.now() - t;
      t = performance.now();
      elsewhere = await claiming;
      ms.load += performance.now() - t;
      if (elsewhere.size > 0) {
        this.deps.log.warn('archive batch: orders already archived by another batch are not written again; deleting them from the hot store', { batch: batch._id, orders: elsewhere.size });
        t = performance.now();
        encoded = await this.encode(batch._id, rows.filter((r) => !elsewhere.has(r.order_id)));
        ms.encode += performance.now() - t;
        t = performance.now();
        await hot.deleteOrders([...elsewhere]);
        ms.load += performance.now() - t;
      }
    } catch (err) {
      // Never leave the marks' insert running behind a failed write (the next run resumes the batch).
      await claiming.catch(() => undefined);
      throw err;
    }
    const files: BatchFile[] = [];
    for (const [dt, { rows: group, bytes }] of encoded) {
      const path = filePath(dt, batch._id);
      t = performance.now();
      await storage.put(path, bytes);
      ms.store += performance.now() - t;
      const s = summarise(group);
      files.push({ dt, path, rows: s.rows, ids_sha256: s.ids_sha256, total_cents: s.total_cents, quantity: s.quantity, bytes: bytes.byteLength });
      await this.keepLease();
    }
    // A previous attempt may have written a partition this attempt no longer has rows for.
    const stale = unique([...batch.dts, ...batch.files.map((f) => f.dt)]).filter((dt) => !encoded.has(dt));
    for (const dt of stale) {
      const path = filePath(dt, batch._id);
      if (await storage.exists(path)) await storage.delete(path);
    }
    const all = summarise([...encoded.values()].flatMap((e) => e.rows));
    if (loaded.length < batch.ids.length) this.deps.log.warn('archive batch: some frozen orders are no longer in the hot store', { batch: batch._id, frozen: batch.ids.length, present: loaded.length });
    return this.advance(batch, 'written', {
      ids: all.ids,
      id_count: all.ids.length,
      files,
      sums: { rows: all.rows, total_cents: all.total_cents, quantity: all.quantity },
      write_ms: { load: Math.round(ms.load), encode: Math.round(ms.encode), store: Math.round(ms.store) },
    });
  }

  async verify(batch: BatchManifest): Promise<BatchManifest> {
    const problems: string[] = [];
    const fileIds: string[][] = [];
    for (const f of batch.files) {
      let bytes: Uint8Array;
      try {
        bytes = await this.deps.storage.get(f.path);
      } catch (cause) {
        if (!(await this.deps.storage.exists(f.path).catch(() => true))) {
          problems.push(`${f.path}: file missing`);
          continue;
        }
        throw cause;
      }
      if (bytes.byteLength !== f.bytes) problems.push(`${f.path}: ${bytes.byteLength} bytes read, ${f.bytes} written`);
      let rows;
      try {
        rows = await decodeArchiveFile(bytes, f.path);
      } catch (err) {
        problems.push(`${f.path}: unreadable (${err instanceof Error ? err.message : String(err)})`);
        continue;
      }
      const s = summarise(rows);
      const dts = new Set(rows.map((r) => dtOf(r.order_timestamp)));
      problems.push(...compareFile(f, s, dts).map((p) => `${f.path}: ${p}`));
      fileIds.push(s.ids);
    }
    problems.push(...compareIdUnion(batch, fileIds));
    if (problems.length > 0) {
      // Back to `frozen`: the next run rewrites the files. Nothing is deleted.
      await this.advance(batch, 'frozen', { verify_failures: batch.verify_failures + 1, last_error: problems.join('; ').slice(0, 2000) });
      assertNoProblems(batch._id, problems);
    }
    return this.advance(batch, 'verified', { last_error: null });
  }

  async register(batch: BatchManifest): Promise<BatchManifest> {
    const { catalog, storage } = this.deps;
    if (batch.files.length > 0) {
      await catalog.ensureTable(ordersTableDef(storage, this.target));
      for (const f of batch.files) await catalog.addPartition(this.target.database, this.target.table, { values: [f.dt], location: partitionLocation(storage, f.dt) });
    }
    return this.advance(batch, 'registered', {});
  }

  async delete(batch: BatchManifest): Promise<{ batch: BatchManifest; deleted: number }> {
    const { hot } = this.deps;
    let deleted = 0;
    if (rangeDeleteAllowed(batch, this.rangeMargin)) {
      // Every fact in the range is one of the batch's (range-complete at the freeze, no later
      // insert can land in it): one pass per sub-range instead of an id list searched per document.
      for (const range of batch.delete_ranges ?? [{ first: batch.first_hot_id, last: batch.last_hot_id }]) {
        deleted += await hot.deleteRange(range);
        if (deleted > batch.ids.length) throw new InvariantError(`batch ${batch._id}: the range delete removed ${deleted} orders, the batch holds ${batch.ids.length}; an order inserted into its _id range was deleted unarchived (clock lag above rangeDeleteMarginMs?)`);
        await this.keepLease();
        await this.opts.hooks?.afterDeleteChunk?.(batch._id, deleted, batch.ids.length);
      }
    } else {
      for (const chunk of chunks(batch.ids, this.deleteChunk)) {
        deleted += await hot.deleteOrders(chunk, { first: batch.first_hot_id, last: batch.last_hot_id });
        await this.keepLease();
        await this.opts.hooks?.afterDeleteChunk?.(batch._id, deleted, batch.ids.length);
      }
    }
    // Every id deleted now: nothing left to count. Fewer (a resumed delete): confirm none is left.
    const left = deleted === batch.ids.length ? 0 : await hot.countPresent(batch.ids);
    if (left > 0) throw new InvariantError(`batch ${batch._id}: ${left} archived orders are still in the hot store after the delete; rerun archive-move`);
    const next = await this.advance(batch, 'deleted', { ids: [], deleted: batch.ids.length });
    return { batch: next, deleted };
  }

  /** Drive one batch from its current step to `deleted`. */
  async complete(batch: BatchManifest, resumed: boolean, preloaded?: FactDoc[]): Promise<BatchReport> {
    const started = Date.now();
    const resumedFrom = resumed ? batch.step : null;
    if (resumed) this.deps.log.info('archive batch resumed', { batch: batch._id, step: batch.step });
    let b = batch;
    let deleted = 0;
    if (b.step === 'frozen') b = await this.write(b, preloaded);
    if (b.step === 'written') b = await this.verify(b);
    if (b.step === 'verified') b = await this.register(b);
    if (b.step === 'registered') ({ batch: b, deleted } = await this.delete(b));
    return {
      batch_id: b._id,
      resumed_from: resumedFrom,
      orders: b.id_count,
      files: b.files.length,
      bytes: b.files.reduce((n, f) => n + f.bytes, 0),
      deleted,
      ms: Date.now() - started,
    };
  }
}

/**
 * Resume every in-flight batch, then freeze and move new batches until `orders` orders were
 * moved or the hot store has none left. Returns `busy` when another archive-move holds the lease.
 */
export async function runMove(deps: MoveDeps, opts: MoveOptions): Promise<MoveResult> {
  if (!Number.isInteger(opts.orders) || opts.orders < 0) throw new InvariantError(`runMove: orders must be an integer ≥ 0, got ${opts.orders}`);
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvariantError(`runMove: maxBatch must be an integer ≥ 1, got ${maxBatch}`);
  const owner = opts.owner ?? `archive-move-${process.pid}-${randomUUID().slice(0, 8)}`;
  const ttl = opts.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  if (!(await deps.lock.acquire(owner, ttl))) {
    const holder = await deps.lock.holder();
    deps.log.info('archive-move: another move holds the lease', { holder: holder?.owner });
    return { status: 'busy', requested: opts.orders, moved: 0, batches: [], holder: holder?.owner };
  }
  const mover = new Mover(deps, opts, owner);
  const stopHeartbeat = mover.startHeartbeat();
  const batches: BatchReport[] = [];
  let moved = 0;
  try {
    for (const b of await deps.manifests.inFlight()) {
      const report = await mover.complete(b, true);
      batches.push(report);
      moved += report.orders;
    }
    while (moved < opts.orders) {
      if (opts.untilBelowBytes !== undefined) {
        const size = sizeFacts(await deps.hot.readSize()).totalBytes;
        if (size <= opts.untilBelowBytes) {
          deps.log.info('archive-move: hot store already under the low-water mark', { size_bytes: size, until_below_bytes: opts.untilBelowBytes });
          break;
        }
      }
      const frozen = await mover.freeze(Math.min(maxBatch, opts.orders - moved));
      if (!frozen) break;
      const report = await mover.complete(frozen.batch, false, frozen.facts);
      batches.push(report);
      moved += report.orders;
      if (report.orders === 0) break;
    }
  } finally {
    stopHeartbeat();
    if (!mover.leaseLost) await deps.lock.release(owner).catch((err: unknown) => deps.log.warn('archive-move: could not release the lease (it expires by itself)', { err }));
  }
  return { status: 'done', requested: opts.orders, moved, batches };
}
