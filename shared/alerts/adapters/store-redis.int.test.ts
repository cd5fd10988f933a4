/**
 * The Redis alert store on its own (real Redis, a private prefix): per-alert order, retention of
 * recent alerts (count and 7 days of event time, open ones kept), the outbox's leases.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { RedisKpiStore } from '../../kpi/adapters/redis-store.ts';
import { RedisAlertStore } from './store-redis.ts';
import { prepareChange } from '../store.ts';
import { alertOf, lifeOf } from '../testing/alerts.ts';

const config = loadConfig();
const prefix = `test:alerts:store:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
const day = 24 * 3600_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const T = Date.UTC(2026, 10, 24, 8, 0);

describe('RedisAlertStore', () => {
  let store: RedisAlertStore;
  beforeAll(() => {
    store = RedisAlertStore.open(config.redisUrl, prefix, 'alerts-store-test');
  });
  afterAll(async () => {
    await store.close();
    const kpi = RedisKpiStore.open(config.redisUrl, prefix, 'alerts-store-cleanup');
    await kpi.deleteAll();
    await kpi.close();
  });

  it('applies each change once and never rolls an alert back', async () => {
    const l = lifeOf(alertOf({ id: 'a', detected_at: iso(T) }));
    const opts = { webhook: false, recentMax: 200, now: Date.now() };
    expect(await store.apply([l.opened, l.updated].map(prepareChange), opts)).toEqual(['applied', 'applied']);
    expect(await store.apply([l.opened, l.resolved].map(prepareChange), opts)).toEqual(['duplicate', 'applied']);
    // a late update (never seen before) after the resolution: stale, the alert stays resolved
    const late = { type: 'updated' as const, alert: { ...l.updated.alert, detected_at: iso(T + 3600_000) } };
    expect(await store.apply([prepareChange(late)], opts)).toEqual(['stale']);
    const s = await store.snapshot();
    expect(s).toEqual({ version: 3, open: [], recent: [l.resolved.alert] });
    expect(await store.version()).toBe(3);
  });

  it('keeps the newest recentMax alerts and at most 7 days, but never drops an open one', async () => {
    const oldOpen = alertOf({ id: 'old-open', started_at: iso(T - 20 * day), detected_at: iso(T - 20 * day) });
    const changes = [{ type: 'opened' as const, alert: oldOpen }];
    for (let i = 0; i < 5; i++) {
      const a = alertOf({ id: `r${i}`, detected_at: iso(T + i * 60_000) });
      changes.push({ type: 'resolved' as never, alert: { ...a, resolved_at: a.detected_at } });
    }
    const veryOld = alertOf({ id: 'very-old', detected_at: iso(T - 9 * day) });
    changes.push({ type: 'resolved' as never, alert: { ...veryOld, resolved_at: veryOld.detected_at } });
    await store.apply(changes.map(prepareChange), { webhook: false, recentMax: 4, now: Date.now() });
    const s = await store.snapshot();
    expect(s.open.map((a) => a.id)).toEqual(['old-open']);
    // 'very-old' is > 7 days older than the newest; by count the newest 4 stay (r4, r3, r2 and 'a',
    // resolved at T+90 s, from the first test); 'old-open' is older than all but still open: kept.
    expect(s.recent.map((a) => a.id)).toEqual(['r4', 'r3', 'r2', 'a', 'old-open']);
  });

  it('leases outbox items: a claimed item is not due again until its lease ends or it is rescheduled', async () => {
    const l = lifeOf(alertOf({ id: 'w', detected_at: iso(T) }));
    const now = Date.now();
    expect(await store.apply([prepareChange(l.opened)], { webhook: true, recentMax: 200, now })).toEqual(['applied']);
    const first = await store.claim(10, now, 5_000);
    expect(first.items).toEqual([{ key: prepareChange(l.opened).key, attempt: 1, body: JSON.stringify(l.opened) }]);
    expect((await store.claim(10, now + 1_000, 5_000)).items).toEqual([]);
    const again = await store.claim(10, now + 6_000, 5_000);
    expect(again.items.map((i) => i.attempt)).toEqual([2]);
    await store.retryAt(again.items[0]!.key, now + 7_000);
    expect((await store.claim(10, now + 7_000, 5_000)).items.map((i) => i.attempt)).toEqual([3]);
    await store.done(again.items[0]!.key);
    expect(await store.webhookStats()).toEqual({ delivered: 1, gave_up: 0, pending: 0 });
    // done is final: a late retryAt from a slower drainer does not bring it back (ZADD XX)
    await store.retryAt(again.items[0]!.key, now);
    expect((await store.claim(10, now + 60_000, 5_000)).items).toEqual([]);
  });
});
