import { describe, expect, it } from 'vitest';
import { AsyncQueue, callBytes, type AsyncCall, type CallResult } from './async-queue.ts';
import { createLogger } from '../../shared/platform/log.ts';

const silent = createLogger({}, () => undefined);
const call = (i: number, bytes = 10, fn = 'f'): AsyncCall => ({ callId: `c${i}`, fn, method: 'POST', path: '/', headers: {}, body: Buffer.alloc(bytes), callbackUrl: undefined, enqueuedAt: Date.now() });

function queue(maxRequests: number, maxBytes: number, invoke: (c: AsyncCall) => Promise<CallResult>): AsyncQueue {
  return new AsyncQueue({ invoke, callback: async () => {}, log: silent, concurrency: 1, maxAttempts: 3, maxRequests, maxBytes, backoff: { initialMs: 1, maxMs: 2 } });
}

describe('AsyncQueue bounds', () => {
  it('refuses beyond maxRequests held calls (queued or running, all functions) and takes again once one is done', async () => {
    const release: (() => void)[] = [];
    const ran: string[] = [];
    const q = queue(3, 1e6, (c) => new Promise((r) => release.push(() => (ran.push(c.callId), r({ status: 200, headers: {}, body: Buffer.alloc(0) })))));
    expect(q.enqueue(call(1)).ok).toBe(true);
    expect(q.enqueue(call(2, 10, 'g')).ok).toBe(true);
    expect(q.enqueue(call(3)).ok).toBe(true);
    const full = q.enqueue(call(4, 10, 'h'));
    expect(full).toMatchObject({ ok: false, reason: 'full' });
    expect(q.held().calls).toBe(3);
    expect(q.refused).toBe(1);
    release.shift()!();
    await new Promise((r) => setTimeout(r, 5));
    expect(q.enqueue(call(5)).ok).toBe(true);
    while (ran.length < 4) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(ran.sort()).toEqual(['c1', 'c2', 'c3', 'c5']);
    expect(q.held()).toEqual({ calls: 0, bytes: 0 });
    expect(await q.close(100)).toEqual([]);
  });

  it('refuses a call that would pass maxBytes', async () => {
    const q = queue(100, 1000, () => new Promise(() => {}));
    expect(q.enqueue(call(1, 600)).ok).toBe(true);
    expect(q.held().bytes).toBe(callBytes(call(1, 600)));
    expect(q.enqueue(call(2, 500))).toMatchObject({ ok: false, reason: 'full' });
    expect(q.enqueue(call(3, 300)).ok).toBe(true);
    await q.close(10);
  });

  it('close() drains held calls before it returns, refuses new ones, and names what it had to drop', async () => {
    let done = 0;
    const q = queue(100, 1e6, async () => {
      await new Promise((r) => setTimeout(r, 20));
      done++;
      return { status: 200, headers: {}, body: Buffer.alloc(0) };
    });
    for (let i = 0; i < 5; i++) q.enqueue(call(i));
    const closing = q.close(5000);
    expect(q.enqueue(call(9))).toMatchObject({ ok: false, reason: 'closing' });
    expect(await closing).toEqual([]);
    expect(done).toBe(5);

    const stuck = queue(100, 1e6, () => new Promise(() => {}));
    for (let i = 0; i < 3; i++) stuck.enqueue(call(i));
    expect(await stuck.close(20)).toEqual(['c1', 'c2']);
  });
});
