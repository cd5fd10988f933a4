/**
 * The batch manifest (MongoDB collection `archive_manifest`, one document per batch) and its
 * step machine. A batch is recorded FIRST (step `frozen`, with its exact order_id set), then
 * moves frozen → written → verified → registered → deleted. A failed verification sends it back
 * to `frozen` (the files are rewritten on the next run; nothing is ever deleted unverified).
 */
import { createHash } from 'node:crypto';
import { InvariantError } from '../platform/errors.ts';

export const BATCH_STEPS = ['frozen', 'written', 'verified', 'registered', 'deleted'] as const;
export type BatchStep = (typeof BATCH_STEPS)[number];

export interface BatchFile {
  dt: string;
  /** Path inside the archive storage, e.g. `/orders_fact/dt=2026-01-02/part-<batch>.parquet`. */
  path: string;
  rows: number;
  /** sha256 of the file's order_ids sorted and joined with "\n". */
  ids_sha256: string;
  total_cents: number;
  quantity: number;
  bytes: number;
}

export interface BatchSums {
  rows: number;
  total_cents: number;
  quantity: number;
}

export interface BatchManifest {
  /** Deterministic: `<first _id hex>-<last _id hex>` of the frozen orders. */
  _id: string;
  step: BatchStep;
  /** The frozen order_ids (narrowed at `written` to those still present); emptied at `deleted` (id_count stays). */
  ids: string[];
  id_count: number;
  first_hot_id: string;
  last_hot_id: string;
  /**
   * True when the frozen set was every fact with `_id` in [first_hot_id, last_hot_id] when it was
   * read (HotStore.oldestFacts), so the delete may go by that range (absent on older manifests:
   * they delete by id list).
   */
  range_complete?: boolean;
  /**
   * The range delete's pieces: consecutive `_id` sub-ranges of the batch, each holding at most
   * the delete chunk's number of orders (FerretDB on SQLite deletes the matches of one call with
   * one statement, and SQLite takes at most 32 766 parameters). Absent: the one range.
   */
  delete_ranges?: { first: string; last: string }[];
  /** Partitions the frozen orders fall in (planned at freeze time). */
  dts: string[];
  files: BatchFile[];
  sums: BatchSums | null;
  /** Where the write step spent its time (set at `written`): reading the hot store, encoding Parquet, storing files. */
  write_ms: { load: number; encode: number; store: number } | null;
  /** Orders removed from the hot store by this batch (set at `deleted`). */
  deleted: number | null;
  storage: string;
  catalog: string;
  verify_failures: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  history: { step: BatchStep; at: Date }[];
}

const NEXT: Record<BatchStep, BatchStep | undefined> = {
  frozen: 'written',
  written: 'verified',
  verified: 'registered',
  registered: 'deleted',
  deleted: undefined,
};

export function nextStep(step: BatchStep): BatchStep | undefined {
  return NEXT[step];
}

/** Allowed transitions: each step to the next, and written → frozen after a failed verification. */
export function canAdvance(from: BatchStep, to: BatchStep): boolean {
  return NEXT[from] === to || (from === 'written' && to === 'frozen');
}

export function assertAdvance(batchId: string, from: BatchStep, to: BatchStep): void {
  if (!canAdvance(from, to)) throw new InvariantError(`batch ${batchId}: illegal step ${from} -> ${to}`);
}

export function isStep(value: unknown): value is BatchStep {
  return typeof value === 'string' && (BATCH_STEPS as readonly string[]).includes(value);
}

export function stepIndex(step: BatchStep): number {
  return BATCH_STEPS.indexOf(step);
}

const HEX24 = /^[0-9a-f]{24}$/;

/** The batch id of a frozen set, from its first and last `_id` (ObjectId hex). */
export function batchIdFor(firstHotId: string, lastHotId: string): string {
  if (!HEX24.test(firstHotId) || !HEX24.test(lastHotId)) throw new InvariantError(`batch id needs ObjectId hex ids, got ${firstHotId} / ${lastHotId}`);
  return `${firstHotId}-${lastHotId}`;
}

/** sha256 over the sorted ids joined with "\n" (order-independent fingerprint of an id set). */
export function idSetHash(ids: Iterable<string>): string {
  const sorted = [...ids].sort();
  return createHash('sha256').update(sorted.join('\n')).digest('hex');
}

export interface NewBatchInput {
  firstHotId: string;
  lastHotId: string;
  ids: string[];
  dts: string[];
  storage: string;
  catalog: string;
  now: Date;
  /** See BatchManifest.range_complete. */
  rangeComplete?: boolean;
  /** See BatchManifest.delete_ranges. */
  deleteRanges?: { first: string; last: string }[];
}

export function newBatch(input: NewBatchInput): BatchManifest {
  if (input.ids.length === 0) throw new InvariantError('a batch needs at least one order');
  if (new Set(input.ids).size !== input.ids.length) throw new InvariantError('a batch must not contain an order twice');
  return {
    _id: batchIdFor(input.firstHotId, input.lastHotId),
    step: 'frozen',
    ids: input.ids,
    id_count: input.ids.length,
    first_hot_id: input.firstHotId,
    last_hot_id: input.lastHotId,
    range_complete: input.rangeComplete ?? false,
    ...(input.deleteRanges ? { delete_ranges: input.deleteRanges } : {}),
    dts: [...new Set(input.dts)].sort(),
    files: [],
    sums: null,
    write_ms: null,
    deleted: null,
    storage: input.storage,
    catalog: input.catalog,
    verify_failures: 0,
    last_error: null,
    created_at: input.now,
    updated_at: input.now,
    history: [{ step: 'frozen', at: input.now }],
  };
}
