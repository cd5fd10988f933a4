import { describe, expect, it } from 'vitest';
import { createAlertsCache, type AlertSource } from './alerts.ts';
import { createApp } from './app.ts';
import { createLogger } from '../shared/platform/log.ts';
import { EMPTY_SNAPSHOT, type AlertSnapshot } from '../shared/alerts/store.ts';
import { alertOf } from '../shared/alerts/testing/alerts.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import type { ChangeHub } from './hub.ts';
import type { ResultsCache } from './results.ts';

const silent = createLogger({}, () => undefined);

/** Alerts in memory with alert-deliver's change notices (the Redis store is tested in tests/alerts-deliver.int.test.ts). */
function memorySource(): AlertSource & { set(s: AlertSnapshot, notify?: boolean): void; reads: number } {
  let snap = EMPTY_SNAPSHOT;
  const subs = new Set<() => void>();
  const src = {
    reads: 0,
    snapshot: () => {
      src.reads++;
      return Promise.resolve(snap);
    },
    version: () => Promise.resolve(snap.version),
    subscribe: (cb: () => void) => {
      subs.add(cb);
      return Promise.resolve(async () => void subs.delete(cb));
    },
    set(s: AlertSnapshot, notify = true) {
      snap = s;
      if (notify) for (const cb of subs) cb();
    },
  };
  return src;
}

describe('dashboard alerts', () => {
  const open = alertOf();
  it('follows change notices, and a poll catches a lost one', async () => {
    const src = memorySource();
    const cache = await createAlertsCache(src, silent, 20);
    expect(JSON.parse((await cache.current()).payload)).toEqual({ version: 0, open: [], recent: [] });
    const seen: string[] = [];
    cache.on((a) => seen.push(a.payload));
    src.set({ version: 1, open: [open], recent: [open] });
    await waitFor(() => seen.length === 1, { timeoutMs: 2000, what: 'the notice' });
    expect(JSON.parse(seen[0]!)).toEqual({ version: 1, open: [open], recent: [open] });
    const resolved = { ...open, resolved_at: '2026-11-24T08:05:00.000Z' };
    src.set({ version: 2, open: [], recent: [resolved] }, false); // the message is lost
    await waitFor(() => seen.length === 2, { timeoutMs: 2000, what: 'the poll' });
    expect(JSON.parse((await cache.read()).payload).open).toEqual([]);
    await cache.close();
  });

  it('GET /api/alerts serves the cached snapshot; the stream sends an alerts event on connect', async () => {
    const src = memorySource();
    src.set({ version: 3, open: [open], recent: [open] });
    const alerts = await createAlertsCache(src, silent, 1000);
    const hub = { current: async () => ({ version: 1, views: {}, payload: '{"version":1}' }), fresh: () => undefined, on: () => () => undefined, listeners: () => 0, close: async () => undefined } as unknown as ChangeHub;
    const results = { read: async () => ({ history: null, quality: null }), current: async () => ({ history: null, quality: null }), on: () => () => undefined, close: async () => undefined } as unknown as ResultsCache;
    const app = createApp({ views: { readView: async () => null, readAllViews: async () => ({ version: 1, views: {} as never }) }, hub, results, alerts, health: async () => ({}), assets: new Map(), log: silent });
    const r = await app.request('/api/alerts');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({ version: 3, open: [open], recent: [open] });
    const s = await app.request('/api/stream');
    const reader = s.body!.getReader();
    let text = '';
    while (!text.includes('event: alerts')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('event: kpis');
    const noAlerts = createApp({ views: { readView: async () => null, readAllViews: async () => ({ version: 1, views: {} as never }) }, hub, results, health: async () => ({}), assets: new Map(), log: silent });
    expect(await (await noAlerts.request('/api/alerts')).json()).toEqual({ version: 0, open: [], recent: [] });
    await alerts.close();
  });
});
