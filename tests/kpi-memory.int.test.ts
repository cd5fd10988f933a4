/**
 * Redis memory of the KPI counters is bounded by a window, not by all history (issue 10, item 6;
 * docs/kpis.md "Redis memory"): with a dedupe horizon of one day, ten days of orders pass (the
 * store's clock moves a day per batch of orders) and
 *  - the exactly-once marks hold at most two generations (today's and yesterday's orders),
 *  - the revenue-per-minute hash holds at most the 60 served minutes,
 *  - the used memory of the prefix stops growing after the first days,
 * while every served view stays exactly the independent expectation over ALL orders, a
 * redelivery within the horizon counts nothing, and a rebuild after marks were dropped starts
 * from zero and restores identical views.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { materialize } from '../shared/kpi/materialize.ts';
import { listSource } from '../shared/kpi/adapters/mongo-source.ts';
import { rebuild } from '../shared/kpi/rebuild.ts';
import { RedisKpiStore, leaseToken } from '../shared/kpi/adapters/redis-store.ts';
import type { OrderEvent } from '../shared/contract/types.ts';
import { contribs, expectedServed, served } from './kpi-served.ts';
import { factOf, kpiTestEvents } from './kpi-events.ts';

const log = createLogger({ test: 'kpi-memory' }, () => undefined);
const config = loadConfig();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);
const PER_DAY = 3000;
const DAYS = 10;


/** Keys, marks, minute fields and MEMORY USAGE of everything under the prefix. */
async function footprint(store: RedisKpiStore): Promise<{ keys: number; marks: number; markSets: number; minuteFields: number; bytes: number }> {
  const r = store.redis;
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, ks] = await r.scan(cursor, 'MATCH', store.prefix + '*', 'COUNT', 1000);
    cursor = next;
    keys.push(...ks);
  } while (cursor !== '0');
  let marks = 0;
  let markSets = 0;
  let bytes = 0;
  for (const k of keys) {
    bytes += Number((await r.memory('USAGE', k, 'SAMPLES', '0')) ?? 0);
    if (/applied(:\d+)?$/.test(k)) {
      markSets++;
      marks += await r.scard(k);
    }
  }
  return { keys: keys.length, marks, markSets, minuteFields: await r.hlen(store.prefix + 'min'), bytes };
}

describe('KPI Redis memory bounded by a window (dedupe horizon 1 day, 10 days of orders)', () => {
  const prefix = `test:kpi:mem:${randomUUID().slice(0, 8)}:`;
  let clock = T0;
  let store: RedisKpiStore;
  const days = Array.from({ length: DAYS }, (_, d) => kpiTestEvents(PER_DAY, 1000 + d, T0 + d * DAY + 6 * 3_600_000));
  const all = days.flat();

  beforeAll(async () => {
    store = RedisKpiStore.open(config.redisUrl, prefix, 'kpi-memory-test', undefined, { dedupeHorizonMs: DAY, now: () => clock });
    await store.ping();
  });
  afterAll(async () => {
    await store?.deleteAll();
    await store?.close();
  });

  it('marks and minutes stay bounded as days pass; KPIs stay exact over all orders', async () => {
    const sizes: Awaited<ReturnType<typeof footprint>>[] = [];
    for (let d = 0; d < DAYS; d++) {
      clock = T0 + d * DAY + 12 * 3_600_000;
      const list = contribs(days[d] as OrderEvent[]);
      for (let i = 0; i < list.length; i += 250) await store.apply(list.slice(i, i + 250));
      // a redelivery of the day's orders within the horizon counts nothing
      expect((await store.apply(list.slice(0, 500))).applied).toBe(0);
      await materialize(store);
      expect(await served(store)).toEqual(expectedServed(all.slice(0, (d + 1) * PER_DAY)));
      const f = await footprint(store);
      sizes.push(f);
      expect(f.marks).toBeLessThanOrEqual(2 * PER_DAY);
      expect(f.markSets).toBeLessThanOrEqual(2);
      expect(f.minuteFields).toBeLessThanOrEqual(120);
    }
    // yesterday's orders are still remembered (the previous generation)
    clock += 6 * 3_600_000;
    expect((await store.apply(contribs((days[DAYS - 2] as OrderEvent[]).slice(0, 300)))).applied).toBe(0);
    const last = sizes[DAYS - 1] as { bytes: number };
    const third = sizes[2] as { bytes: number };
    process.stdout.write(`kpi-memory: bytes under the prefix by day: ${sizes.map((s) => s.bytes).join(', ')}; marks: ${sizes.map((s) => s.marks).join(', ')}\n`);
    // after two horizons the footprint is flat: the day-10 store is no bigger than the day-3 one (+10 % slack)
    expect(last.bytes).toBeLessThanOrEqual(third.bytes * 1.1);
  });

  it('a rebuild after marks were dropped starts from zero and restores identical views', async () => {
    await materialize(store);
    const before = await served(store);
    expect(await store.redis.exists(prefix + 'applied:dropped')).toBe(1);
    const facts = all.map(factOf);
    // the hot store holds the newest 6 days, the archive the oldest 5 (one day in both)
    const sources = [listSource('hot', facts.slice(4 * PER_DAY)), listSource('archive', facts.slice(0, 5 * PER_DAY))];
    const r = await rebuild({ store, sources, log, who: 'test', token: leaseToken('test'), batchSize: 500 });
    expect(r.status).toBe('done');
    if (r.status !== 'done') return;
    expect(r.applied).toBe(all.length);
    expect(await store.redis.exists(prefix + 'applied:dropped')).toBe(0);
    await materialize(store);
    expect(await served(store)).toEqual(before);
    // marks complete again: a second rebuild counts nothing
    const again = await rebuild({ store, sources, log, who: 'test', token: leaseToken('test') });
    expect(again.status === 'done' && again.applied).toBe(0);
  });
});
