/**
 * Summaries used to verify archive files against the frozen set: row count, exact id set
 * (fingerprint + union equality), Σ total_amount in integer cents, Σ quantity.
 */
import { InvariantError } from '../platform/errors.ts';
import { idSetHash, type BatchFile, type BatchManifest } from './manifest.ts';
import { toCents } from '../contract/money.ts';

export interface RowSummary {
  rows: number;
  ids: string[];
  ids_sha256: string;
  total_cents: number;
  quantity: number;
}

export function summarise(rows: readonly { order_id: string; total_amount: number; quantity: number }[]): RowSummary {
  let cents = 0;
  let quantity = 0;
  const ids: string[] = [];
  for (const r of rows) {
    ids.push(r.order_id);
    cents += toCents(r.total_amount);
    quantity += r.quantity;
  }
  return { rows: rows.length, ids, ids_sha256: idSetHash(ids), total_cents: cents, quantity };
}

/** Differences between what a file holds and what the manifest expects for it (empty when equal). */
export function compareFile(expected: BatchFile, actual: RowSummary, dtsInFile: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (actual.rows !== expected.rows) problems.push(`rows ${actual.rows} != ${expected.rows}`);
  if (new Set(actual.ids).size !== actual.ids.length) problems.push('an order_id appears twice in the file');
  if (actual.ids_sha256 !== expected.ids_sha256) problems.push('order_id set differs');
  if (actual.total_cents !== expected.total_cents) problems.push(`Σ total_amount ${actual.total_cents}¢ != ${expected.total_cents}¢`);
  if (actual.quantity !== expected.quantity) problems.push(`Σ quantity ${actual.quantity} != ${expected.quantity}`);
  const wrongDt = [...dtsInFile].filter((d) => d !== expected.dt);
  if (wrongDt.length > 0) problems.push(`rows of dt ${wrongDt.join(',')} in partition ${expected.dt}`);
  return problems;
}

/** The files' id sets must partition the manifest's id set exactly (no id missing, none extra, none twice). */
export function compareIdUnion(batch: Pick<BatchManifest, '_id' | 'ids'>, fileIds: readonly string[][]): string[] {
  const expected = new Set(batch.ids);
  const seen = new Set<string>();
  const problems: string[] = [];
  let extra = 0;
  let twice = 0;
  for (const ids of fileIds)
    for (const id of ids) {
      if (seen.has(id)) twice++;
      seen.add(id);
      if (!expected.has(id)) extra++;
    }
  const missing = [...expected].filter((id) => !seen.has(id)).length;
  if (missing) problems.push(`${missing} frozen orders missing from the files`);
  if (extra) problems.push(`${extra} orders in the files are not in the batch`);
  if (twice) problems.push(`${twice} orders appear in two files`);
  return problems;
}

export function assertNoProblems(batchId: string, problems: string[]): void {
  if (problems.length > 0) throw new InvariantError(`batch ${batchId}: verification failed: ${problems.join('; ')}`, { details: { batch: batchId, problems } });
}
