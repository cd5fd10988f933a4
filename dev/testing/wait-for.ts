/**
 * Wait for a condition instead of sleeping a fixed time in tests: polls cond every intervalMs
 * until it returns true, and fails after timeoutMs saying what it waited for (and the last error
 * cond threw, if any; a throw counts as "not yet").
 */
export interface WaitForOptions {
  timeoutMs: number;
  /** Poll period; default 20 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("the handler to start"). */
  what: string;
}

export async function waitFor(cond: () => boolean | Promise<boolean>, opts: WaitForOptions): Promise<void> {
  const interval = opts.intervalMs ?? 20;
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await cond()) return;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last === undefined ? '' : `; the last check threw: ${last instanceof Error ? last.message : String(last)}`;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
