import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createLogger } from '../shared/platform/log.ts';
import type { ViewName } from '../shared/kpi/types.ts';
import { createChangeHub, payloadOf, type HubSource } from './hub.ts';

const silent = createLogger({}, () => undefined);

function views(summary: string | null): Record<ViewName, string | null> {
  return { summary, revenue_per_minute: '[]', top_products: null, orders_by_state: '[]', payments: '[]', segments: '[]' };
}

describe('payloadOf', () => {
  it('concatenates stored JSON and fills never-materialised views with the empty view', () => {
    const p = JSON.parse(payloadOf(null, views(null))) as Record<string, unknown>;
    expect(p.version).toBeNull();
    expect(p.summary).toMatchObject({ orders: 0, as_of: null });
    expect(p.top_products).toEqual([]);
    expect(JSON.parse(payloadOf(3, views('{"orders":5}')))).toMatchObject({ version: 3, summary: { orders: 5 } });
  });
});

describe('createChangeHub', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('broadcasts one new payload per change message and skips unchanged versions', async () => {
    let version = 1;
    let fire: () => void = () => undefined;
    let reads = 0;
    const src: HubSource = {
      async readAllViews() {
        reads++;
        return { version, views: views(`{"orders":${version}}`) };
      },
      async readVersion() {
        return version;
      },
      async subscribe(cb) {
        fire = cb;
        return async () => undefined;
      },
    };
    const hub = await createChangeHub(src, silent, 60_000);
    expect(hub.fresh()).toBeUndefined();
    expect(JSON.parse((await hub.current()).payload)).toMatchObject({ version: 1, summary: { orders: 1 } });
    const got: number[] = [];
    const off = hub.on((s) => got.push(s.version ?? -1));
    fire(); // same version: nothing sent
    await waitFor(() => reads === 2, { timeoutMs: 5_000, intervalMs: 1, what: 'the re-read after the first message' });
    version = 2;
    fire();
    await waitFor(() => got.length > 0, { timeoutMs: 5_000, intervalMs: 1, what: 'the broadcast of version 2' });
    expect(got).toEqual([2]);
    off();
    expect(hub.listeners()).toBe(0);
    expect(reads).toBe(3);
    expect(JSON.parse(hub.fresh()?.views.summary ?? 'null')).toEqual({ orders: 2 });
    expect(hub.fresh()?.views.top_products).toBe('[]');
    await hub.close();
  });

  it('the poll catches a change whose message was lost, and the cache goes stale when Redis does not answer', async () => {
    vi.useFakeTimers(); // the poll interval and the cache's age are pure timer logic
    let version = 1;
    let fail = false;
    const src: HubSource = {
      readAllViews: async () => {
        if (fail) throw new Error('down');
        return { version, views: views(`{"orders":${version}}`) };
      },
      readVersion: async () => {
        if (fail) throw new Error('down');
        return version;
      },
      subscribe: async () => async () => undefined,
    };
    const hub = await createChangeHub(src, silent, 20);
    await hub.current();
    version = 5; // no message
    await vi.advanceTimersByTimeAsync(80);
    expect(hub.fresh()?.version).toBe(5);
    fail = true;
    await vi.advanceTimersByTimeAsync(150);
    expect(hub.fresh()).toBeUndefined();
    await hub.close();
  });
});
