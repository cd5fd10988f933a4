/**
 * The archive's directory layout: `/orders_fact/dt=YYYY-MM-DD/part-<batch_id>.parquet`, dt being
 * the UTC date of order_timestamp. File names are deterministic per batch, so rewriting a batch
 * replaces its file instead of adding a second copy.
 */
import { InvariantError } from '../platform/errors.ts';

export const TABLE_DIR = '/orders_fact';
export const PARTITION_KEY = 'dt';
const DT_RE = /^\d{4}-\d{2}-\d{2}$/;
const BATCH_RE = /^[A-Za-z0-9_-]{1,128}$/;
const FILE_RE = /^part-([A-Za-z0-9_-]{1,128})\.parquet$/;

/** UTC calendar date of a time, `YYYY-MM-DD`. */
export function dtOf(time: Date): string {
  const ms = time.getTime();
  if (Number.isNaN(ms)) throw new InvariantError('dtOf: invalid time');
  return time.toISOString().slice(0, 10);
}

export function isDt(value: string): boolean {
  return DT_RE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export function partitionDir(dt: string): string {
  if (!isDt(dt)) throw new InvariantError(`invalid partition value dt=${dt}`);
  return `${TABLE_DIR}/${PARTITION_KEY}=${dt}`;
}

export function fileName(batchId: string): string {
  if (!BATCH_RE.test(batchId)) throw new InvariantError(`invalid batch id ${batchId}`);
  return `part-${batchId}.parquet`;
}

export function filePath(dt: string, batchId: string): string {
  return `${partitionDir(dt)}/${fileName(batchId)}`;
}

/** `dt` of a partition directory path or name (`…/dt=2026-01-02`), or undefined. */
export function dtOfDir(dir: string): string | undefined {
  const last = dir.split('/').filter(Boolean).at(-1) ?? '';
  if (!last.startsWith(`${PARTITION_KEY}=`)) return undefined;
  const dt = last.slice(PARTITION_KEY.length + 1);
  return isDt(dt) ? dt : undefined;
}

/** Batch id of an archive data file path, or undefined for anything else (temporary or hidden files). */
export function batchOfFile(path: string): string | undefined {
  const name = path.split('/').at(-1) ?? '';
  return FILE_RE.exec(name)?.[1];
}
