/** After a killed move: rerun archive-move (orders 0 = resume only) until the dead process's lease expires and the batch completes. */
import { runMove, type MoveDeps, type MoveResult } from '../../shared/archive/move.ts';
import type { ArchiveTarget } from '../../shared/archive/table.ts';

export async function resumeUntilDone(deps: MoveDeps, target: ArchiveTarget, timeoutMs = 60_000): Promise<MoveResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await runMove(deps, { orders: 0, target });
    if (res.status === 'done') return res;
    if (Date.now() > deadline) throw new Error(`archive-move still busy after ${timeoutMs} ms (lease held by ${res.holder})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
