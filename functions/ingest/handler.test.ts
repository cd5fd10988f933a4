import { describe, expect, it } from 'vitest';
import type { FnContext, FnEvent } from '../../shared/platform/fn.ts';
import handle, { health, shutdown } from './handler.ts';

function ctx(): FnContext & { code: number } {
  const c = {
    code: 200,
    status(n: number) {
      c.code = n;
      return c;
    },
    headers: () => c,
    succeed: () => c,
    fail: () => c,
  };
  return c;
}
const ev = (headers: Record<string, string>, body: unknown, raw = Buffer.from(JSON.stringify(body ?? null))): FnEvent => ({ body, rawBody: raw, headers, method: 'POST', query: {}, path: '/' });

describe('ingest handler (no services needed)', () => {
  it('answers 400 with a machine-readable error for a body that is not a Kafka delivery', async () => {
    const c = ctx();
    const out = await handle(ev({ 'content-type': 'application/json' }, { hello: 1 }), c);
    expect(c.code).toBe(400);
    expect(out).toMatchObject({ code: 'invalid_batch', retriable: false });
  });

  it('answers an empty batch with zero counts without touching any service', async () => {
    const c = ctx();
    const out = await handle(ev({ 'content-type': 'application/vnd.orderpulse.kafka-batch+json' }, { topic: 'orders', partition: 0, messages: [] }), c);
    expect(c.code).toBe(200);
    expect(out).toEqual({ received: 0, accepted: 0, duplicates: 0, dlq: {}, conflicts: 0 });
  });

  it('reports health and shuts down cleanly before any client exists', async () => {
    expect(await health()).toMatchObject({ status: 'ok', batches: 0 });
    await expect(shutdown()).resolves.toBeUndefined();
  });
});
