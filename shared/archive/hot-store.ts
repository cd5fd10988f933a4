/**
 * The ports of the move and check cores toward MongoDB (adapters: mongo-hot-store.ts,
 * mongo-manifest.ts). Only the adapters import the mongodb driver; ObjectIds travel as hex strings.
 */
import type { DimensionName, DIMENSIONS, StoredFact } from '../contract/order.ts';
import type { BatchManifest, BatchStep } from './manifest.ts';

/**
 * An orders_fact document as the archive reads it: the contract's StoredFact (fields other than
 * the order's own may be missing in facts written by older versions) and `hot_id` = the `_id`
 * ObjectId as hex.
 */
export type FactDoc = StoredFact & { hot_id: string };

export type DimDoc = Record<string, unknown>;

/** Dimension rows by id (`customers`, `products`, and the legacy `payments`: shared/contract/order.ts FOLDED_DIMENSIONS). */
export type DimRows = { [D in DimensionName as (typeof DIMENSIONS)[D]['rows']]: Map<string, DimDoc> };

export interface CollectionSize {
  name: string;
  count: number;
  /** Logical data size (collStats `size`). */
  dataBytes: number;
  /** On-disk size (collStats `storageSize`). */
  storageBytes: number;
  indexBytes: number;
}

export interface HotSize {
  collections: CollectionSize[];
}

export interface HotStore {
  /**
   * The `limit` oldest orders by `_id`, ascending, as whole documents (one read freezes and feeds
   * the write). Range-complete: every fact whose `_id` lies between the first and the last returned
   * `_id` (inclusive) at the time of the read is among them, so the batch can later be deleted by
   * that `_id` range (deleteRange).
   */
  oldestFacts(limit: number): Promise<FactDoc[]>;
  /** The facts among `orderIds` still present (any order). */
  loadFacts(orderIds: readonly string[]): Promise<FactDoc[]>;
  /**
   * Dimension rows by id (`$in`, no `$lookup`); missing ids are simply absent from the maps, and an
   * empty id list reads nothing. `payments` = the legacy payments_dim rows (facts written before the fold).
   */
  loadDims(ids: { customers: readonly string[]; products: readonly string[]; payments: readonly string[] }): Promise<DimRows>;
  /**
   * Delete exactly these orders from orders_fact; returns how many were deleted. `hotIdRange`
   * (the frozen batch's first and last `_id`, hex) bounds the search: every id of a batch lies in
   * it, and on FerretDB an `_id` range is answered from the primary key instead of a full scan.
   */
  deleteOrders(orderIds: readonly string[], hotIdRange?: { first: string; last: string }): Promise<number>;
  /**
   * Delete every fact whose `_id` lies in [first, last] (ObjectId hex, inclusive); returns how
   * many. Exact only for a range-complete batch (oldestFacts) once no insert can land in the range
   * any more: the move core decides (shared/archive/move.ts, rangeDeleteAllowed). One pass over
   * the collection on FerretDB, with a cheap filter (no `$in` list to search per document).
   */
  deleteRange(range: { first: string; last: string }): Promise<number>;
  /**
   * Mark these orders as taken by archive batch `batchId` (`order_ids_archived`, never deleted;
   * idempotent for the same batch). Returns the order_ids another batch had already taken: they
   * are in the archive already and must not be written again. Called when a batch's files are
   * written, so every mark precedes the delete of its fact (ingest relies on it).
   */
  claimArchived(batchId: string, orderIds: readonly string[]): Promise<Set<string>>;
  /** How many of `orderIds` are still in orders_fact. */
  countPresent(orderIds: readonly string[]): Promise<number>;
  readSize(): Promise<HotSize>;
}

export interface ManifestStore {
  /** Insert a new batch; when a batch with that _id exists already, return the stored one unchanged (created: false). */
  create(batch: BatchManifest): Promise<{ batch: BatchManifest; created: boolean }>;
  get(batchId: string): Promise<BatchManifest | undefined>;
  /**
   * Move a batch from `from` to `to` with the patch applied, only if it is still at `from`
   * (a concurrent mover that advanced it makes this throw InvariantError).
   */
  advance(batchId: string, from: BatchStep, to: BatchStep, patch: Partial<BatchManifest>): Promise<BatchManifest>;
  /** Batches not yet `deleted`, oldest first. */
  inFlight(): Promise<BatchManifest[]>;
  list(): Promise<BatchManifest[]>;
}

export interface LockState {
  owner: string;
  expiresAt: Date;
}

/** A lease so that only one archive-move runs at a time. */
export interface MoveLock {
  /** Take the lease if free or expired; false when another owner holds it. */
  acquire(owner: string, ttlMs: number): Promise<boolean>;
  /** Extend the lease; false when `owner` no longer holds it. */
  renew(owner: string, ttlMs: number): Promise<boolean>;
  release(owner: string): Promise<void>;
  /** The current holder, when the lease is held and not expired. */
  holder(): Promise<LockState | undefined>;
}
