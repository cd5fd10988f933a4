/**
 * In-memory queue behind /async-function/<name> (the local stand-in for OpenFaaS's NATS queue-worker).
 * Each function has its own FIFO and a concurrency limit. A call is retried with backoff on 5xx,
 * 429 and connection errors up to maxAttempts; the final result is POSTed to X-Callback-Url when given.
 * Not durable: calls queued when the pipeline stops are lost (documented in docs/runtime.md).
 */
import type { Logger } from '../../shared/platform/log.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../../connectors/backoff.ts';

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
  maxQueued: number;
  backoff: BackoffPolicy;
}

export const retriableStatus = (s: number): boolean => s === 0 || s === 429 || s >= 500;

export class AsyncQueue {
  private readonly queues = new Map<string, AsyncCall[]>();
  private readonly running = new Map<string, number>();
  private readonly deps: AsyncQueueDeps;
  private readonly abort = new AbortController();
  private readonly active = new Set<Promise<void>>();
  completed = 0;
  failed = 0;

  constructor(deps: AsyncQueueDeps) {
    this.deps = deps;
  }

  /** False when the function's queue is full (caller answers 429). */
  enqueue(call: AsyncCall): boolean {
    const q = this.queues.get(call.fn) ?? [];
    if (q.length >= this.deps.maxQueued) return false;
    q.push(call);
    this.queues.set(call.fn, q);
    this.pump(call.fn);
    return true;
  }

  depth(fn: string): number {
    return (this.queues.get(fn)?.length ?? 0) + (this.running.get(fn) ?? 0);
  }

  private pump(fn: string): void {
    const q = this.queues.get(fn);
    while (q && q.length > 0 && (this.running.get(fn) ?? 0) < this.deps.concurrency && !this.abort.signal.aborted) {
      const call = q.shift()!;
      this.running.set(fn, (this.running.get(fn) ?? 0) + 1);
      const p = this.run(call).finally(() => {
        this.active.delete(p);
        this.running.set(fn, (this.running.get(fn) ?? 1) - 1);
        this.pump(fn);
      });
      this.active.add(p);
    }
  }

  private async run(call: AsyncCall): Promise<void> {
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
  }

  /** Stop taking queued calls; wait (at most waitMs) for running ones. Returns how many queued calls were dropped. */
  async close(waitMs: number): Promise<number> {
    this.abort.abort();
    let dropped = 0;
    for (const q of this.queues.values()) dropped += q.splice(0).length;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.active]), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    return dropped;
  }
}
