/** Counting of ingest outcomes and the reconciliation invariant. */
import type { DlqReason } from '../contract/types.ts';
import { InvariantError } from '../platform/errors.ts';
import type { IngestCounts, Outcome } from './types.ts';

export function emptyCounts(): IngestCounts {
  return { received: 0, accepted: 0, duplicates: 0, dlq: {}, conflicts: 0 };
}

export function dlqTotal(c: IngestCounts): number {
  let n = 0;
  for (const v of Object.values(c.dlq)) n += v ?? 0;
  return n;
}

/** Count outcomes; throws InvariantError unless every message has exactly one outcome that adds up. */
export function countOutcomes(outcomes: readonly (Outcome | undefined)[]): IngestCounts {
  const c = emptyCounts();
  c.received = outcomes.length;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i];
    if (o === undefined) throw new InvariantError(`ingest: message #${i} of the batch got no outcome`);
    if (o === 'accepted') c.accepted++;
    else if (o === 'duplicate') c.duplicates++;
    else c.dlq[o as DlqReason] = (c.dlq[o as DlqReason] ?? 0) + 1;
  }
  c.conflicts = c.dlq.conflict ?? 0;
  checkInvariant(c);
  return c;
}

export function checkInvariant(c: IngestCounts): void {
  const sum = c.accepted + c.duplicates + dlqTotal(c);
  if (sum !== c.received) {
    throw new InvariantError(`ingest counts do not reconcile: received ${c.received} != accepted ${c.accepted} + duplicates ${c.duplicates} + dlq ${dlqTotal(c)}`, { details: { counts: c } });
  }
}

/** Add `c` into the running totals `into` (mutates and returns `into`). */
export function addCounts(into: IngestCounts, c: IngestCounts): IngestCounts {
  into.received += c.received;
  into.accepted += c.accepted;
  into.duplicates += c.duplicates;
  into.conflicts += c.conflicts;
  for (const [k, v] of Object.entries(c.dlq) as [DlqReason, number][]) into.dlq[k] = (into.dlq[k] ?? 0) + v;
  return into;
}
