/**
 * Moves generated messages to a sender: batches, a token bucket over wall time for the target
 * rate, several sends in flight, retries, progress reports, and stop on count, duration or
 * abort. Pure: the sender and the clock are injected (the CLI passes a Kafka producer).
 */
import type { GeneratedMessage } from './stream.ts';

export interface BatchSender {
  send(messages: GeneratedMessage[]): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PumpProgress {
  /** Messages acknowledged by the sender. */
  sent: number;
  elapsedS: number;
  /** Average rate since the start (messages/s). */
  rate: number;
  /** Rate over the last progress interval (messages/s). */
  recentRate: number;
  inFlight: number;
  /** Failed send attempts so far (each retried). */
  errors: number;
}

export interface PumpOptions {
  source: { next(): GeneratedMessage };
  sender: BatchSender;
  /** Target messages per second of wall time; 0 = as fast as possible. */
  rate: number;
  /** Stop after this many messages (undefined = no limit). */
  count?: number;
  /** Stop after this many ms of wall time (undefined = no limit). */
  durationMs?: number;
  /** Messages per send (default: rate/20 clamped to [1, 1000]; 1000 when unlimited). */
  batchSize?: number;
  /** Sends in flight at once (default 4). */
  maxInFlight?: number;
  /**
   * Token-bucket depth in ms of the target rate (default 1000): after a stall of up to this
   * long, the pump catches up, so the average rate holds at the target.
   */
  burstMs?: number;
  /** Attempts per batch before giving up (default 6). */
  attempts?: number;
  clock?: Clock;
  signal?: AbortSignal;
  progressEveryMs?: number;
  onProgress?: (p: PumpProgress) => void;
  onError?: (err: unknown, attempt: number) => void;
}

export interface PumpResult {
  sent: number;
  orders: number;
  duplicates: number;
  bad: number;
  errors: number;
  batches: number;
  seconds: number;
  rate: number;
  firstOrderId: string | null;
  lastOrderId: string | null;
  /** Mean and max duration of a successful send (ms): the broker's round trip plus client work. */
  sendMsMean: number;
  sendMsMax: number;
  /** Why the pump stopped. */
  stoppedBy: 'count' | 'duration' | 'signal';
}

export function defaultBatchSize(rate: number): number {
  return rate <= 0 ? 1000 : Math.min(1000, Math.max(1, Math.round(rate / 20)));
}

export async function pump(o: PumpOptions): Promise<PumpResult> {
  const clock = o.clock ?? realClock;
  if (!(o.rate >= 0) || !Number.isFinite(o.rate)) throw new RangeError(`rate must be >= 0, got ${o.rate}`);
  if (o.count !== undefined && !(Number.isInteger(o.count) && o.count >= 0)) throw new RangeError(`count must be an integer >= 0, got ${o.count}`);
  const batchSize = o.batchSize ?? defaultBatchSize(o.rate);
  const maxInFlight = o.maxInFlight ?? 4;
  const attempts = o.attempts ?? 6;
  const every = o.progressEveryMs ?? 1000;
  const t0 = clock.now();

  let generated = 0;
  let sent = 0;
  let errors = 0;
  let batches = 0;
  let orders = 0;
  let duplicates = 0;
  let bad = 0;
  let firstOrderId: string | null = null;
  let lastOrderId: string | null = null;
  let fatal: unknown;
  let failed = false;
  const inFlight = new Set<Promise<void>>();

  // Token bucket: refills at `rate` per second, holds at most `burstMs` worth (and at least one
  // batch); starts with one batch so the run does not open with a burst.
  const capacity = Math.max(batchSize, (o.rate * (o.burstMs ?? 1000)) / 1000);
  let tokens = batchSize;
  let refilledAt = t0;
  const take = async (n: number): Promise<void> => {
    if (o.rate <= 0) return;
    for (;;) {
      const now = clock.now();
      tokens = Math.min(capacity, tokens + ((now - refilledAt) * o.rate) / 1000);
      refilledAt = now;
      if (tokens >= n) {
        tokens -= n;
        return;
      }
      await clock.sleep(Math.max(1, ((n - tokens) * 1000) / o.rate));
    }
  };

  let lastReportAt = t0;
  let lastReportSent = 0;
  const report = (force = false): void => {
    const now = clock.now();
    if (!o.onProgress || (!force && now - lastReportAt < every)) return;
    const elapsedS = (now - t0) / 1000;
    o.onProgress({ sent, elapsedS, rate: elapsedS > 0 ? sent / elapsedS : 0, recentRate: now > lastReportAt ? ((sent - lastReportSent) * 1000) / (now - lastReportAt) : 0, inFlight: inFlight.size, errors });
    lastReportAt = now;
    lastReportSent = sent;
  };

  let sendMsSum = 0;
  let sendMsMax = 0;
  let sendsOk = 0;
  const sendWithRetry = async (batch: GeneratedMessage[]): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const s0 = clock.now();
        await o.sender.send(batch);
        const ms = clock.now() - s0;
        sendMsSum += ms;
        if (ms > sendMsMax) sendMsMax = ms;
        sendsOk++;
        sent += batch.length;
        return;
      } catch (err) {
        errors++;
        o.onError?.(err, attempt);
        if (attempt >= attempts || failed) throw err;
        await clock.sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
  };

  let stoppedBy: PumpResult['stoppedBy'] = 'count';
  for (;;) {
    if (failed) break;
    if (o.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    if (o.durationMs !== undefined && clock.now() - t0 >= o.durationMs) {
      stoppedBy = 'duration';
      break;
    }
    const room = o.count === undefined ? batchSize : Math.min(batchSize, o.count - generated);
    if (room <= 0) break;
    await take(room);
    const batch = new Array<GeneratedMessage>(room);
    for (let i = 0; i < room; i++) {
      const m = o.source.next();
      batch[i] = m;
      if (m.kind === 'order') {
        orders++;
        if (firstOrderId === null) firstOrderId = m.orderId;
        lastOrderId = m.orderId;
      } else if (m.kind === 'duplicate') duplicates++;
      else bad++;
    }
    generated += room;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    batches++;
    const p: Promise<void> = sendWithRetry(batch).then(
      () => {
        inFlight.delete(p);
      },
      (err: unknown) => {
        inFlight.delete(p);
        if (!failed) fatal = err;
        failed = true;
      },
    );
    inFlight.add(p);
    report();
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  report(true);
  if (failed) throw fatal;
  const seconds = (clock.now() - t0) / 1000;
  return { sent, orders, duplicates, bad, errors, batches, seconds, rate: seconds > 0 ? sent / seconds : 0, firstOrderId, lastOrderId, sendMsMean: sendsOk > 0 ? sendMsSum / sendsOk : 0, sendMsMax, stoppedBy };
}
