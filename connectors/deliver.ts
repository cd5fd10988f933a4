/**
 * At-least-once delivery of one chunk: invoke until the function answers 2xx, with backoff,
 * forever — a chunk is never skipped. The loop only gives up when the consumer no longer owns
 * the partition (stopping or rebalanced): then the chunk is NOT acknowledged and Kafka
 * redelivers it to the new owner from the last committed offset.
 */
import type { Logger } from '../shared/platform/log.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.ts';

export interface InvokeResult {
  /** HTTP status, or 0 when the request failed before a response (connection error, timeout). */
  status: number;
  /** The first few hundred characters of the response body or the error message. */
  excerpt: string;
}

export interface DeliverDeps {
  invoke(): Promise<InvokeResult>;
  /** Does this consumer still own the partition? */
  isActive(): boolean;
  /** Keep the group membership alive while waiting (kafkajs heartbeat). */
  heartbeat(): Promise<void>;
  log: Logger;
  backoff: BackoffPolicy;
  heartbeatEveryMs?: number;
  random?: () => number;
  /** Aborted when the connector stops, to cut a backoff sleep short. */
  signal?: AbortSignal;
}

export type DeliverOutcome = { delivered: true; attempts: number } | { delivered: false; attempts: number; reason: 'inactive' };

export const is2xx = (status: number): boolean => status >= 200 && status < 300;

export async function deliverWithRetry(deps: DeliverDeps, context: Record<string, unknown>): Promise<DeliverOutcome> {
  const every = deps.heartbeatEveryMs ?? 3000;
  let heartbeatError: unknown;
  const beat = (): void => {
    deps.heartbeat().catch((err: unknown) => (heartbeatError = err));
  };
  const timer = setInterval(beat, every);
  timer.unref();
  try {
    for (let attempt = 1; ; attempt++) {
      const r = await deps.invoke();
      if (is2xx(r.status)) {
        if (attempt > 1) deps.log.info('delivered after retries', { ...context, attempts: attempt, status: r.status });
        return { delivered: true, attempts: attempt };
      }
      if (!deps.isActive()) {
        deps.log.warn('not delivered: partition no longer owned or connector stopping; will be redelivered', { ...context, attempts: attempt, status: r.status });
        return { delivered: false, attempts: attempt, reason: 'inactive' };
      }
      const delay = backoffDelay(deps.backoff, attempt, deps.random);
      deps.log.warn('invocation failed, retrying the same messages', {
        ...context,
        attempt,
        status: r.status,
        body: r.excerpt,
        retryInMs: delay,
        ...(heartbeatError ? { heartbeatError: String(heartbeatError) } : {}),
      });
      await sleep(delay, deps.signal);
      if (!deps.isActive()) return { delivered: false, attempts: attempt, reason: 'inactive' };
      beat();
    }
  } finally {
    clearInterval(timer);
  }
}
