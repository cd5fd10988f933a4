/**
 * The one way tests (and test-like tools: benchmarks, the local pipeline's probes) wait for
 * something: poll a condition until it holds, and fail after a timeout that names what was awaited
 * (and the last error the condition threw, if any: a throw counts as "not yet"). No test sleeps a
 * fixed time hoping a thing has happened; it waits for the thing, or drives a fake clock.
 */
import { OrderPulseError } from '../../shared/platform/errors.ts';

export interface WaitForOptions {
  /** Give up after this long (the condition is always checked at least once). */
  timeoutMs: number;
  /** Poll period; default 20 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("the handler to start"). */
  what: string;
}

/** Only `undefined`, `null` and `false` mean "not yet"; anything else (also `0` or `''`) is the result. */
type NotYet = undefined | null | false;

/**
 * Resolves with the condition's first result that is not `undefined`, `null` or `false` (so a
 * boolean condition resolves with `true`, a lookup with what it found). Rejects with a
 * `WaitTimeoutError` when `timeoutMs` passes first.
 */
export async function waitFor<T>(cond: () => T | NotYet | Promise<T | NotYet>, opts: WaitForOptions): Promise<T> {
  const interval = opts.intervalMs ?? 20;
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v !== undefined && v !== null && v !== false) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    const waited = Date.now() - started;
    if (waited >= opts.timeoutMs) throw new WaitTimeoutError(opts.what, opts.timeoutMs, last);
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, opts.timeoutMs - waited)));
  }
}

/** The awaited condition did not hold in time; `cause` is the condition's last error, if its last check threw. */
export class WaitTimeoutError extends OrderPulseError {
  readonly what: string;
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, cause?: unknown) {
    const why = cause === undefined ? '' : `; the last check threw: ${cause instanceof Error ? cause.message : String(cause)}`;
    super('wait_timeout', `timed out after ${timeoutMs} ms waiting for ${what}${why}`, { cause, details: { what, timeoutMs } });
    this.what = what;
    this.timeoutMs = timeoutMs;
  }
}
