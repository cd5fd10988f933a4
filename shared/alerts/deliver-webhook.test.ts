import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { backoffMs, BACKOFF_CAP_MS, signature, startDrainer, verdictOf, webhookHeaders, type PostResult } from './deliver-webhook.ts';
import type { Outbox, OutboxItem } from './store.ts';
import { createLogger } from '../platform/log.ts';
import { waitFor } from '../../dev/testing/wait-for.ts';

const quiet = createLogger({}, () => undefined);

/** The outbox's contract in memory (the Redis one is exercised by tests/alerts-deliver.int.test.ts). */
function memoryOutbox(bodies: string[]): Outbox & { due: Map<string, number>; attempts: Map<string, number>; dead: string[]; delivered: string[] } {
  const due = new Map<string, number>();
  const items = new Map<string, string>();
  const attempts = new Map<string, number>();
  bodies.forEach((b, i) => {
    due.set(`k${i}`, 0);
    items.set(`k${i}`, b);
  });
  const dead: string[] = [];
  const delivered: string[] = [];
  const drop = (k: string): void => void (due.delete(k), items.delete(k), attempts.delete(k));
  return {
    due,
    attempts,
    dead,
    delivered,
    claim(max, now, leaseMs) {
      const out: OutboxItem[] = [];
      for (const [k, t] of [...due].sort((a, b) => a[1] - b[1])) {
        if (out.length >= max || t > now) break;
        due.set(k, now + leaseMs);
        const a = (attempts.get(k) ?? 0) + 1;
        attempts.set(k, a);
        out.push({ key: k, attempt: a, body: items.get(k) as string });
      }
      return Promise.resolve({ items: out, depth: due.size });
    },
    done(k) {
      delivered.push(k);
      drop(k);
      return Promise.resolve();
    },
    retryAt(k, t) {
      if (due.has(k)) due.set(k, t);
      return Promise.resolve();
    },
    giveUp(k, _item, reason) {
      dead.push(`${k}: ${reason}`);
      drop(k);
      return Promise.resolve();
    },
  };
}

describe('alert webhook policy', () => {
  it('backs off exponentially with ±20 % jitter, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(1, 1000, 0)).toBe(800);
    expect(backoffMs(1, 1000, 0.999999)).toBe(1200);
    expect(backoffMs(30, 1000, 0.5)).toBe(BACKOFF_CAP_MS);
  });

  it('retries what may pass later, gives up on a refusal', () => {
    const v = (r: PostResult): string => verdictOf(r);
    expect([200, 202, 204].map((status) => v({ status }))).toEqual(['delivered', 'delivered', 'delivered']);
    expect([500, 502, 503, 429, 408, 425, 301, 307].map((status) => v({ status }))).toEqual(Array(8).fill('retry'));
    expect([400, 401, 403, 404, 410, 413, 422].map((status) => v({ status }))).toEqual(Array(7).fill('give_up'));
    expect(v({ error: 'ECONNREFUSED' })).toBe('retry');
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 when a secret is set', () => {
    const item = { key: 'abc', attempt: 2, body: '{"type":"opened"}' };
    const h = webhookHeaders(item, 'opened', 's3cret', 1_764_662_400_123);
    expect(h).toMatchObject({ 'content-type': 'application/json', 'x-orderpulse-delivery': 'abc', 'x-orderpulse-attempt': '2', 'x-orderpulse-event': 'opened', 'x-orderpulse-timestamp': '1764662400' });
    expect(h['x-orderpulse-signature']).toBe('sha256=' + createHmac('sha256', 's3cret').update('1764662400.{"type":"opened"}').digest('hex'));
    expect(signature('s3cret', '1764662400', item.body)).toBe(h['x-orderpulse-signature']);
    expect(webhookHeaders(item, 'opened', undefined, 0)).not.toHaveProperty('x-orderpulse-signature');
  });
});

describe('alert webhook drainer', () => {
  it('delivers each item once, retrying failures, and gives up after maxAttempts', async () => {
    const box = memoryOutbox(['{"type":"opened"}', '{"type":"resolved"}', '{"type":"updated"}']);
    const seen = new Map<string, number>();
    const post = (body: string, h: Record<string, string>): Promise<PostResult> => {
      const n = (seen.get(h['x-orderpulse-delivery'] as string) ?? 0) + 1;
      seen.set(h['x-orderpulse-delivery'] as string, n);
      if (body.includes('updated')) return Promise.resolve({ status: 503 }); // never works
      if (body.includes('resolved') && n < 3) return Promise.resolve({ error: 'ECONNRESET' });
      return Promise.resolve({ status: 200 });
    };
    const outcomes: string[] = [];
    const d = startDrainer({ outbox: box, post, log: quiet, maxAttempts: 4, backoffBaseMs: 10, timeoutMs: 1000, pollMs: 5, metrics: { attempt: (o) => outcomes.push(o), outboxDepth: () => undefined } });
    await waitFor(() => box.due.size === 0, { timeoutMs: 5000, intervalMs: 5, what: 'outbox empty' });
    await d.close();
    expect(box.delivered.sort()).toEqual(['k0', 'k1']);
    expect(box.dead).toEqual(['k2: HTTP 503 after 4 attempt(s)']);
    expect(Object.fromEntries(seen)).toEqual({ k0: 1, k1: 3, k2: 4 });
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'give_up')).toHaveLength(1);
  });

  it('a hanging receiver holds one slot only: the others are delivered meanwhile', async () => {
    const box = memoryOutbox(['{"type":"opened","n":0}', '{"type":"opened","n":1}', '{"type":"opened","n":2}']);
    let release: (() => void) | undefined;
    const post = (body: string): Promise<PostResult> =>
      body.includes('"n":0') && release === undefined ? new Promise((r) => (release = () => r({ error: 'no answer within 1000 ms' }))) : Promise.resolve({ status: 204 });
    const d = startDrainer({ outbox: box, post, log: quiet, maxAttempts: 3, backoffBaseMs: 10, timeoutMs: 1000, pollMs: 5, concurrency: 2 });
    await waitFor(() => box.delivered.length === 2, { timeoutMs: 5000, intervalMs: 5, what: 'the two others delivered' });
    expect(d.inFlight()).toBe(1);
    release?.();
    await waitFor(() => box.delivered.length === 3, { timeoutMs: 5000, intervalMs: 5, what: 'the hung one delivered on retry' });
    await d.close();
  });
});
