/**
 * In-memory queue behind /async-function/<name> (the local stand-in for OpenFaaS's NATS queue-worker).
 * Each function has its own FIFO and a concurrency limit. A call is retried with backoff on 5xx,
 * 429 and connection errors up to maxAttempts; the final result is POSTed to X-Callback-Url when given.
 *
 * Bounded over all functions in calls and bytes (maxRequests, maxBytes): a call is held from
 * enqueue until its last attempt and callback are done; beyond the bounds enqueue refuses (the
 * gateway answers 429 + Retry-After), so nothing accepted is ever dropped for room. close() stops
 * taking calls and drains what it holds for up to its wait. With a journal (async-journal.ts)
 * every accepted call is on disk before it is acknowledged and stays there until done, so what
 * is still held at a stop or a crash runs after the next start (restore()); without one the
 * queue is in memory and such calls are lost (docs/runtime.md).
 */
import type { Logger } from '../../shared/platform/log.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../../connectors/backoff.ts';
import type { AsyncJournal } from './async-journal.ts';

export interface AsyncCall {
  callId: string;
  fn: string;
  method: string;
  /** Path and query passed to the function. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  callbackUrl: string | undefined;
  enqueuedAt: number;
  /** Set by the journal: the call's file. */
  journalKey?: string;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  error?: string;
}

export interface AsyncQueueDeps {
  invoke(call: AsyncCall): Promise<CallResult>;
  callback(url: string, call: AsyncCall, result: CallResult, durationMs: number): Promise<void>;
  log: Logger;
  concurrency: number;
  maxAttempts: number;
  /** Most calls held at once (queued or running), all functions together. */
  maxRequests: number;
  /** Most body bytes held at once, all functions together. */
  maxBytes: number;
  backoff: BackoffPolicy;
  /** Durable calls: written before enqueue() returns ok, removed when done. */
  journal?: AsyncJournal;
}

export type EnqueueResult = { ok: true } | { ok: false; reason: 'full' | 'closing' | 'journal'; detail: string };

/** Bytes a call holds (body, headers and path; the fixed overhead is ignored). */
export function callBytes(call: AsyncCall): number {
  let n = call.body.length + call.path.length + (call.callbackUrl?.length ?? 0);
  for (const [k, v] of Object.entries(call.headers)) n += k.length + v.length;
  return n;
}

export const retriableStatus = (s: number): boolean => s === 0 || s === 429 || s >= 500;

export class AsyncQueue {
  private readonly queues = new Map<string, AsyncCall[]>();
  private readonly running = new Map<string, number>();
  private readonly deps: AsyncQueueDeps;
  private readonly abort = new AbortController();
  private readonly active = new Set<Promise<void>>();
  private heldCalls = 0;
  private heldBytes = 0;
  private closing = false;
  private idle: (() => void) | undefined;
  completed = 0;
  failed = 0;
  /** Calls refused because the queue was full. */
  refused = 0;

  constructor(deps: AsyncQueueDeps) {
    this.deps = deps;
  }

  /** Take a call, or refuse it (full: the caller answers 429; closing: 503). */
  enqueue(call: AsyncCall): EnqueueResult {
    if (this.closing) return { ok: false, reason: 'closing', detail: 'the gateway is stopping' };
    const bytes = callBytes(call);
    if (this.heldCalls + 1 > this.deps.maxRequests || this.heldBytes + bytes > this.deps.maxBytes) {
      this.refused++;
      return {
        ok: false,
        reason: 'full',
        detail: `the async queue holds ${this.heldCalls} calls (max ${this.deps.maxRequests}) and ${this.heldBytes} bytes (max ${this.deps.maxBytes}); this call has ${bytes}`,
      };
    }
    if (this.deps.journal) {
      try {
        this.deps.journal.add(call);
      } catch (err) {
        return { ok: false, reason: 'journal', detail: `the async queue's journal ${this.deps.journal.dir} cannot be written: ${(err as Error).message}` };
      }
    }
    this.push(call);
    return { ok: true };
  }

  /**
   * Calls journaled by an earlier run, taken back without the bounds (they were accepted once).
   * `runnable(fn)` false leaves a call in the journal for a later start (its function is not running here).
   */
  restore(runnable: (fn: string) => boolean): { restored: number; waiting: number; unreadable: string[] } {
    if (!this.deps.journal) return { restored: 0, waiting: 0, unreadable: [] };
    const { calls, unreadable } = this.deps.journal.load();
    let restored = 0;
    for (const c of calls) {
      if (!runnable(c.fn)) continue;
      this.push(c);
      restored++;
    }
    return { restored, waiting: calls.length - restored, unreadable };
  }

  private push(call: AsyncCall): void {
    this.heldCalls++;
    this.heldBytes += callBytes(call);
    const q = this.queues.get(call.fn) ?? [];
    q.push(call);
    this.queues.set(call.fn, q);
    this.pump(call.fn);
  }

  /** Calls and bytes held now (queued or running), all functions. */
  held(): { calls: number; bytes: number } {
    return { calls: this.heldCalls, bytes: this.heldBytes };
  }

  depth(fn: string): number {
    return (this.queues.get(fn)?.length ?? 0) + (this.running.get(fn) ?? 0);
  }

  private pump(fn: string): void {
    const q = this.queues.get(fn);
    while (q && q.length > 0 && (this.running.get(fn) ?? 0) < this.deps.concurrency && !this.abort.signal.aborted) {
      const call = q.shift()!;
      this.running.set(fn, (this.running.get(fn) ?? 0) + 1);
      const p: Promise<void> = this.run(call).then(
        (outcome) => this.settle(fn, call, outcome, p),
        () => this.settle(fn, call, 'interrupted', p),
      );
      this.active.add(p);
    }
  }

  private settle(fn: string, call: AsyncCall, outcome: 'finished' | 'interrupted', p: Promise<void>): void {
    this.active.delete(p);
    this.running.set(fn, (this.running.get(fn) ?? 1) - 1);
    this.heldCalls--;
    this.heldBytes -= callBytes(call);
    // Done (answered, or failed for good): out of the journal. Not when cut short by close():
    // then it runs again after the next start.
    if (outcome === 'finished') this.deps.journal?.remove(call);
    if (this.heldCalls === 0) this.idle?.();
    this.pump(fn);
  }

  private async run(call: AsyncCall): Promise<'finished' | 'interrupted'> {
    const { log } = this.deps;
    const started = Date.now();
    let result: CallResult = { status: 0, headers: {}, body: Buffer.alloc(0), error: 'not invoked' };
    for (let attempt = 1; attempt <= this.deps.maxAttempts; attempt++) {
      result = await this.deps.invoke(call);
      if (!retriableStatus(result.status)) break;
      if (attempt === this.deps.maxAttempts || this.abort.signal.aborted) break;
      const delay = backoffDelay(this.deps.backoff, attempt);
      log.warn('async call failed, retrying', { fn: call.fn, callId: call.callId, attempt, status: result.status, error: result.error, body: result.body.subarray(0, 300).toString('utf8'), retryInMs: delay });
      await sleep(delay, this.abort.signal);
    }
    const durationMs = Date.now() - started;
    const ok = result.status >= 200 && result.status < 300;
    if (!ok && retriableStatus(result.status) && this.abort.signal.aborted && this.deps.journal) {
      log.warn('async call interrupted by the stop; it stays in the journal and runs after the next start', { fn: call.fn, callId: call.callId, status: result.status });
      return 'interrupted';
    }
    if (ok) this.completed++;
    else this.failed++;
    log[ok ? 'info' : 'error'](ok ? 'async call done' : 'async call failed for good', {
      fn: call.fn,
      callId: call.callId,
      status: result.status,
      durationMs,
      queuedMs: started - call.enqueuedAt,
      ...(ok ? {} : { error: result.error, body: result.body.subarray(0, 300).toString('utf8') }),
    });
    if (call.callbackUrl) {
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await this.deps.callback(call.callbackUrl, call, result, durationMs);
          break;
        } catch (err) {
          log.warn('callback failed', { fn: call.fn, callId: call.callId, url: call.callbackUrl, attempt, err });
          if (attempt < 3) await sleep(backoffDelay(this.deps.backoff, attempt), this.abort.signal);
        }
      }
    }
    return 'finished';
  }

  /**
   * Stop taking calls; let the held ones finish for at most waitMs (queued calls still run), then
   * cut retries short and drop what is still queued. Returns the call ids dropped (still in
   * the journal, when there is one: they run after the next start).
   */
  async close(waitMs: number): Promise<string[]> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    if (this.heldCalls > 0) {
      await new Promise<void>((r) => {
        this.idle = r;
        timer = setTimeout(r, waitMs);
      });
      clearTimeout(timer);
    }
    this.abort.abort();
    const dropped: string[] = [];
    for (const q of this.queues.values()) for (const c of q.splice(0)) dropped.push(c.callId);
    await Promise.race([Promise.allSettled([...this.active]), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    return dropped;
  }
}
