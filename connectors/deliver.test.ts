import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/platform/log.ts';
import { backoffDelay } from './backoff.ts';
import { deliverWithRetry, errorFields, isPermanent, type InvokeResult } from './deliver.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({}, (l) => void lines.push(JSON.parse(l) as Record<string, unknown>)) };
}

describe('deliverWithRetry', () => {
  it('retries the same chunk on non-2xx and connection errors until 2xx, logging status and body', async () => {
    const answers: InvokeResult[] = [
      { status: 500, excerpt: '{"error":"mongo down"}' },
      { status: 0, excerpt: 'ECONNREFUSED' },
      { status: 429, excerpt: '' },
      { status: 200, excerpt: 'ok' },
    ];
    let calls = 0;
    let beats = 0;
    const { lines, log } = capture();
    const r = await deliverWithRetry(
      {
        invoke: async () => answers[calls++]!,
        isActive: () => true,
        heartbeat: async () => void beats++,
        log,
        backoff: { initialMs: 1, maxMs: 4 },
      },
      { fn: 'f', topic: 't', partition: 0 },
    );
    expect(r).toEqual({ delivered: true, attempts: 4 });
    expect(calls).toBe(4);
    expect(beats).toBeGreaterThanOrEqual(3);
    const retries = lines.filter((l) => l.msg === 'invocation failed, retrying the same messages');
    expect(retries.map((l) => l.status)).toEqual([500, 0, 429]);
    expect(retries[0]!.body).toBe('{"error":"mongo down"}');
    expect(retries[0]!.fn).toBe('f');
  });

  it('stops without acknowledging when the partition is no longer owned', async () => {
    let active = true;
    let calls = 0;
    const r = await deliverWithRetry(
      {
        invoke: async () => {
          calls++;
          if (calls === 2) active = false;
          return { status: 503, excerpt: '' };
        },
        isActive: () => active,
        heartbeat: async () => {},
        log: capture().log,
        backoff: { initialMs: 1, maxMs: 1 },
      },
      {},
    );
    expect(r).toEqual({ delivered: false, attempts: 2, reason: 'inactive' });
  });

  it('backoff doubles up to the cap, with jitter between half and all', () => {
    const p = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(p, a, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(p, 3, () => 0)).toBe(200);
  });

  it('gives up with "permanent" after parkAfter identical permanent answers in a row; a different answer restarts the count', async () => {
    const bad: InvokeResult = { status: 400, excerpt: '{"error":"bad","code":"invalid_batch","retriable":false}', code: 'invalid_batch', retriable: false };
    const answers: InvokeResult[] = [bad, bad, { status: 503, excerpt: '' }, bad, { ...bad, status: 500, code: 'invariant' }, bad, bad, bad];
    let calls = 0;
    const retried: number[] = [];
    const r = await deliverWithRetry(
      { invoke: async () => answers[calls++]!, isActive: () => true, heartbeat: async () => {}, log: capture().log, backoff: { initialMs: 1, maxMs: 1 }, parkAfter: 3, onRetry: (x) => retried.push(x.status) },
      {},
    );
    expect(r).toEqual({ delivered: false, attempts: 8, reason: 'permanent', last: bad });
    expect(retried).toEqual([400, 400, 503, 400, 500, 400, 400]);
  });

  it('isPermanent: the function\'s retriable flag first, else 4xx other than 401/403/404/408/409/429', () => {
    const p = (status: number, body = ''): boolean => isPermanent({ status, excerpt: body, ...errorFields(body) });
    expect([400, 413, 415, 422].map((s) => p(s))).toEqual([true, true, true, true]);
    expect([401, 403, 404, 408, 409, 429, 500, 502, 503, 0].map((s) => p(s))).toEqual(Array(10).fill(false));
    expect(p(500, '{"error":"x","code":"invariant","retriable":false}')).toBe(true);
    expect(p(500, '{"error":"x","code":"internal","retriable":true}')).toBe(false);
    expect(p(400, '{"error":"x","code":"dependency","retriable":true}')).toBe(false);
    expect(p(503, 'not json')).toBe(false);
    expect(errorFields('{"code":"invalid_batch","retriable":false}')).toEqual({ code: 'invalid_batch', retriable: false });
    expect(errorFields('{truncated')).toEqual({});
  });
});
