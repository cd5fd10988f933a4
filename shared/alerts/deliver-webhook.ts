/**
 * The alert webhook (issue 11, docs/alert-delivery.md "Webhook"): POST each applied AlertChange
 * to ALERT_WEBHOOK_URL, from the Redis outbox, in the background of the alert-deliver process, so
 * the function's answer never waits for the receiver.
 *
 * - Per item: up to `maxAttempts` attempts; the n-th retry waits backoff(n) = base·2^(n-1)
 *   (capped at 5 min) with ±20 % jitter. 2xx = delivered (removed). 408, 425, 429, 5xx, a
 *   redirect (never followed: the change goes only to the configured URL), a timeout or a
 *   connection error = retry. Any other 4xx = the receiver refuses it: give up at once.
 * - Each claim leases the item for timeout + 5 s, so several drainers (replicas, a restarted
 *   process) never send the same item at the same time; a crash mid-attempt makes it due again
 *   after the lease (at least once; receivers dedupe on X-OrderPulse-Delivery).
 * - At most `concurrency` POSTs in flight: a hanging receiver holds one slot until the timeout.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../platform/log.ts';
import type { Outbox, OutboxItem } from './store.ts';

export const BACKOFF_CAP_MS = 5 * 60_000;

/** Delay before attempt `attempt + 1`, after `attempt` failed attempts (attempt ≥ 1). `random` in [0, 1). */
export function backoffMs(attempt: number, baseMs: number, random: number): number {
  const raw = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random));
}

/** The result of one POST: an HTTP status, or no answer (timeout, refused, reset) with why. */
export type PostResult = { status: number } | { error: string };

export type Verdict = 'delivered' | 'retry' | 'give_up';

export function verdictOf(r: PostResult): Verdict {
  if ('error' in r) return 'retry';
  const s = r.status;
  if (s >= 200 && s < 300) return 'delivered';
  if (s === 408 || s === 425 || s === 429 || s >= 500 || (s >= 300 && s < 400)) return 'retry';
  return 'give_up';
}

export const describeResult = (r: PostResult): string => ('error' in r ? r.error : `HTTP ${r.status}`);

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): the receiver recomputes it. */
export function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The headers of one POST (docs/alert-delivery.md lists them). */
export function webhookHeaders(item: OutboxItem, type: string, secret: string | undefined, nowMs: number): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'orderpulse-alert-deliver',
    'x-orderpulse-delivery': item.key,
    'x-orderpulse-attempt': String(item.attempt),
    'x-orderpulse-event': type,
  };
  if (secret !== undefined) {
    const ts = String(Math.floor(nowMs / 1000));
    h['x-orderpulse-timestamp'] = ts;
    h['x-orderpulse-signature'] = signature(secret, ts, item.body);
  }
  return h;
}

/** Sends one POST; never throws (adapters/deliver-http.ts). */
export type WebhookPoster = (body: string, headers: Record<string, string>, timeoutMs: number) => Promise<PostResult>;

export interface WebhookMetrics {
  attempt(verdict: Verdict): void;
  outboxDepth(n: number): void;
}

export interface DrainerOptions {
  outbox: Outbox;
  post: WebhookPoster;
  log: Logger;
  maxAttempts: number;
  backoffBaseMs: number;
  timeoutMs: number;
  secret?: string;
  /** POSTs in flight at once (default 4). */
  concurrency?: number;
  /** How often due items are looked for without a kick (default 500 ms). */
  pollMs?: number;
  metrics?: WebhookMetrics;
  now?: () => number;
  random?: () => number;
}

export interface Drainer {
  /** Look for due items now (after new changes were queued). */
  kick(): void;
  /** POSTs in flight. */
  inFlight(): number;
  /** Stop polling; waits for the POSTs in flight (each ends by its timeout). */
  close(): Promise<void>;
}

const typeOf = (body: string): string => {
  try {
    return String((JSON.parse(body) as { type?: unknown }).type ?? 'unknown');
  } catch {
    return 'unknown';
  }
};

export function startDrainer(o: DrainerOptions): Drainer {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const concurrency = o.concurrency ?? 4;
  const leaseMs = o.timeoutMs + 5_000;
  const running = new Set<Promise<void>>();
  let closed = false;
  let claiming = false;
  let again = false;
  let failing = false;

  async function attempt(item: OutboxItem): Promise<void> {
    const r = await o.post(item.body, webhookHeaders(item, typeOf(item.body), o.secret, now()), o.timeoutMs);
    let v = verdictOf(r);
    if (v === 'retry' && item.attempt >= o.maxAttempts) v = 'give_up';
    o.metrics?.attempt(v);
    if (v === 'delivered') {
      await o.outbox.done(item.key);
      o.log.info('alert webhook delivered', { delivery: item.key, attempt: item.attempt });
    } else if (v === 'retry') {
      const wait = backoffMs(item.attempt, o.backoffBaseMs, random());
      await o.outbox.retryAt(item.key, now() + wait);
      o.log.warn('alert webhook failed; will retry', { delivery: item.key, attempt: item.attempt, result: describeResult(r), retryInMs: wait });
    } else {
      const reason = `${describeResult(r)} after ${item.attempt} attempt(s)`;
      await o.outbox.giveUp(item.key, item, reason, now());
      o.log.error('alert webhook gave up on a change (kept in the dead list, docs/alert-delivery.md)', { delivery: item.key, reason });
    }
  }

  async function claimAndStart(): Promise<void> {
    if (closed) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        const free = concurrency - running.size;
        if (free <= 0) break;
        const { items, depth } = await o.outbox.claim(free, now(), leaseMs);
        o.metrics?.outboxDepth(depth);
        if (failing) o.log.info('alert webhook outbox readable again');
        failing = false;
        for (const item of items) {
          const p: Promise<void> = attempt(item)
            .catch((err: unknown) => o.log.warn('alert webhook: recording an attempt failed (the item is due again after its lease)', { delivery: item.key, err }))
            .finally(() => {
              running.delete(p);
              if (!closed) void claimAndStart();
            });
          running.add(p);
        }
        if (items.length === free) again = true;
      } while (again && !closed);
    } catch (err) {
      if (!failing) o.log.warn('alert webhook: cannot read the outbox (Redis); retrying', { err });
      failing = true;
    } finally {
      claiming = false;
    }
  }

  const timer = setInterval(() => void claimAndStart(), o.pollMs ?? 500);
  timer.unref();
  void claimAndStart();

  return {
    kick: () => void claimAndStart(),
    inFlight: () => running.size,
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
