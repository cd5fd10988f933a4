/**
 * The one way tests (and test-like tools: benchmarks, the local pipeline's probes) wait for
 * something: poll a condition until it holds or a deadline passes. No test sleeps a fixed time
 * hoping a thing has happened; it waits for the thing, with a timeout that names it.
 */
import { OrderPulseError } from '../../shared/platform/errors.ts';

export interface WaitForOptions {
  /** Give up after this long (the condition is always checked at least once). */
  timeoutMs: number;
  /** Pause between checks; default 100 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message: "the ingest process to restart". */
  what?: string;
}

/** A falsy-but-meaningful result (`0`, `''`) counts as done; only `undefined`, `null` and `false` mean "not yet". */
type NotYet = undefined | null | false;

/**
 * Resolves with the condition's first result that is not `undefined`, `null` or `false`.
 * A condition that throws counts as "not yet"; the last error is named in the timeout error.
 * Rejects with a `WaitTimeoutError` when `timeoutMs` passes first.
 */
export async function waitFor<T>(cond: () => T | NotYet | Promise<T | NotYet>, opts: WaitForOptions): Promise<T> {
  const interval = opts.intervalMs ?? 100;
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      last = err;
    }
    const waited = Date.now() - started;
    if (waited >= opts.timeoutMs) throw new WaitTimeoutError(opts.what ?? 'a condition', opts.timeoutMs, last);
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, opts.timeoutMs - waited)));
  }
}

/** The awaited condition did not hold in time; `cause` is the condition's last error, if it threw. */
export class WaitTimeoutError extends OrderPulseError {
  readonly what: string;
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, cause?: unknown) {
    const why = cause === undefined ? '' : `; last error: ${cause instanceof Error ? cause.message : String(cause)}`;
    super('wait_timeout', `timed out after ${timeoutMs} ms waiting for ${what}${why}`, { cause, details: { what, timeoutMs } });
    this.what = what;
    this.timeoutMs = timeoutMs;
  }
}
