/**
 * At-least-once delivery of one chunk: invoke until the function answers 2xx, with backoff.
 * A chunk is never skipped silently. The loop gives up in two cases only:
 *   - the consumer no longer owns the partition (stopping or rebalanced): the chunk is NOT
 *     acknowledged and Kafka redelivers it to the new owner from the last committed offset;
 *   - the function gave the same permanent answer (isPermanent) `parkAfter` times in a row: the
 *     caller parks the chunk (kafka-connector.ts writes it to `<topic>.parked`) and moves on.
 * Retriable answers (5xx, 408, 409, 429, connection errors, a 5xx whose body says
 * `retriable: true` or nothing) are retried for ever.
 */
import type { Logger } from '../shared/platform/log.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.ts';

export interface InvokeResult {
  /** HTTP status, or 0 when the request failed before a response (connection error, timeout). */
  status: number;
  /** The first few hundred characters of the response body or the error message. */
  excerpt: string;
  /** The body's `retriable` flag (errors.ts ErrorBody), when the answer was such a JSON body. */
  retriable?: boolean;
  /** The body's error `code` (errors.ts ErrorBody), when it had one. */
  code?: string;
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
  /** Give up (outcome "permanent") after this many identical permanent answers in a row; default never. */
  parkAfter?: number;
  /** Called for every failed invocation that will be tried again. */
  onRetry?(r: InvokeResult): void;
}

export type DeliverOutcome =
  | { delivered: true; attempts: number }
  | { delivered: false; attempts: number; reason: 'inactive' }
  | { delivered: false; attempts: number; reason: 'permanent'; last: InvokeResult };

export const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** 4xx that say nothing about the batch itself: auth/config (401, 403), no such function (404), timeout, conflict, rate limit. */
const RETRIABLE_4XX = new Set([401, 403, 404, 408, 409, 429]);

/**
 * Will this answer recur however often the same chunk is sent? Yes when the function says so
 * (`retriable: false` in its error body: ValidationError 400, InvariantError/ConfigError 500,
 * NotFoundError 404) or for a 4xx that is about the request (400, 413, 415, 422, …).
 */
export function isPermanent(r: InvokeResult): boolean {
  if (is2xx(r.status) || r.status === 0) return false;
  if (r.retriable !== undefined) return !r.retriable;
  return r.status >= 400 && r.status < 500 && !RETRIABLE_4XX.has(r.status);
}

/** Read an error answer's `retriable` and `code` (errors.ts ErrorBody) from its body text, when it is one. */
export function errorFields(body: string): Pick<InvokeResult, 'retriable' | 'code'> {
  if (!body.startsWith('{')) return {};
  try {
    const o = JSON.parse(body) as Record<string, unknown>;
    return { ...(typeof o.retriable === 'boolean' ? { retriable: o.retriable } : {}), ...(typeof o.code === 'string' ? { code: o.code } : {}) };
  } catch {
    return {};
  }
}

const sameAnswer = (a: InvokeResult, b: InvokeResult): boolean => a.status === b.status && a.code === b.code;

export async function deliverWithRetry(deps: DeliverDeps, context: Record<string, unknown>): Promise<DeliverOutcome> {
  const every = deps.heartbeatEveryMs ?? 3000;
  const parkAfter = deps.parkAfter ?? Infinity;
  let heartbeatError: unknown;
  const beat = (): void => {
    deps.heartbeat().catch((err: unknown) => (heartbeatError = err));
  };
  const timer = setInterval(beat, every);
  timer.unref();
  let previous: InvokeResult | undefined;
  let same = 0;
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
      same = isPermanent(r) ? (previous && sameAnswer(previous, r) ? same + 1 : 1) : 0;
      previous = r;
      if (same >= parkAfter) return { delivered: false, attempts: attempt, reason: 'permanent', last: r };
      deps.onRetry?.(r);
      const delay = backoffDelay(deps.backoff, attempt, deps.random);
      deps.log.warn('invocation failed, retrying the same messages', {
        ...context,
        attempt,
        status: r.status,
        body: r.excerpt,
        retryInMs: delay,
        ...(same > 0 ? { permanent: `${same}/${parkAfter}` } : {}),
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
