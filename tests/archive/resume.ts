/** After a killed move: rerun archive-move (orders 0 = resume only) until the dead process's lease expires and the batch completes. */
import { runMove, type MoveDeps, type MoveResult } from '../../shared/archive/move.ts';
import type { ArchiveTarget } from '../../shared/archive/table.ts';
import { waitFor } from '../../dev/testing/wait-for.ts';

export async function resumeUntilDone(deps: MoveDeps, target: ArchiveTarget, timeoutMs = 60_000): Promise<MoveResult> {
  const outcome = await waitFor(
    async (): Promise<{ res: MoveResult } | { err: unknown } | undefined> => {
      try {
        const res = await runMove(deps, { orders: 0, target });
        return res.status === 'done' ? { res } : undefined; // busy: the dead move still holds the lease
      } catch (err) {
        return { err }; // a move that fails (rather than answering busy) fails the test at once
      }
    },
    { timeoutMs, intervalMs: 500, what: "the dead move's lease to expire and archive-move to finish the batch" },
  );
  if ('err' in outcome) throw outcome.err;
  return outcome.res;
}
