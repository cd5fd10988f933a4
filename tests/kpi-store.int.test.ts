/**
 * The KPI store against a real Redis: exactly-once by order_id under replays, redeliveries and
 * concurrent writers; views equal an independent computation; FLUSHALL / restart + rebuild give
 * identical views. Shared Redis tests use their own key prefix; FLUSHALL and restarts use a
 * private redis-server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { aggregate } from '../shared/kpi/aggregate.ts';
import type { DeliveredMessage } from '../shared/delivery/wire.ts';
import { materialize } from '../shared/kpi/materialize.ts';
import { listSource } from '../shared/kpi/adapters/mongo-source.ts';
import { rebuild } from '../shared/kpi/rebuild.ts';
import { createReconciler } from '../shared/kpi/reconcile.ts';
import { runRebuildJob, type RebuildJobResult } from '../shared/kpi/rebuild-job.ts';
import { RedisKpiStore, leaseToken } from '../shared/kpi/adapters/redis-store.ts';
import { contribs, expectedServed, served } from './kpi-served.ts';
import { factOf, kpiTestEvents } from './kpi-events.ts';
import { startPrivateRedis, type PrivateRedis } from './kpi-redis.ts';
import { waitFor } from '../dev/testing/wait-for.ts';

const log = createLogger({ test: 'kpi-store' }, () => undefined);
const config = loadConfig();


describe('KPI store on the shared Redis (own prefix)', () => {
  const prefix = `test:kpi:${randomUUID().slice(0, 8)}:`;
  let store: RedisKpiStore;
  const events = kpiTestEvents(3000, 42);
  const all = contribs(events);

  beforeAll(async () => {
    store = RedisKpiStore.open(config.redisUrl, prefix, 'kpi-store-test');
    await store.ping();
  });
  afterAll(async () => {
    await store.deleteAll();
    await store.close();
  });

  it('applies batches once each and serves exactly the independent expectation (to the cent)', async () => {
    let applied = 0;
    for (let i = 0; i < all.length; i += 137) applied += (await store.apply(all.slice(i, i + 137))).applied;
    expect(applied).toBe(3000);
    const m = await materialize(store);
    expect(m).toMatchObject({ written: true, orders: 3000 });
    expect(await served(store)).toEqual(expectedServed(events));
    // the product rename rule is exercised: some top product had several names
    expect(new Set(events.map((e) => e.product.name)).size).toBeGreaterThan(new Set(events.map((e) => e.product.product_id)).size);
  });

  it('replaying any range, a redelivered batch, or everything again changes nothing (not even the version)', async () => {
    const before = await served(store);
    const v0 = (await store.apply([])).version;
    expect((await store.apply(all.slice(500, 1700))).applied).toBe(0);
    expect((await store.apply(all.slice(0, 137))).applied).toBe(0);
    expect((await store.apply([...all].reverse())).applied).toBe(0);
    const r = await store.apply([]);
    expect(r.version).toBe(v0);
    const m = await materialize(store);
    expect(m.written).toBe(false);
    expect(await served(store)).toEqual(before);
  });

  it('the invalid-message counter counts each source offset once, also through aggregate() when a batch is redelivered', async () => {
    const p3 = `test:kpi:${randomUUID().slice(0, 8)}:`;
    const s3 = RedisKpiStore.open(config.redisUrl, p3, 'kpi-store-test-invalid');
    try {
      expect(await s3.countInvalid(['orders.accepted/0/5', 'orders.accepted/0/6'])).toBe(2);
      expect(await s3.countInvalid(['orders.accepted/0/6', 'orders.accepted/1/6'])).toBe(1);
      expect(await s3.invalidCount()).toBe(3);
      const msg = (offset: string, value: string | null): DeliveredMessage => ({ topic: 'orders.accepted', partition: 2, offset, key: null, value: value === null ? null : Buffer.from(value), timestamp: '0', headers: [] });
      const batch = [msg('100', JSON.stringify(events[0])), msg('101', '{broken'), msg('102', null), msg('103', JSON.stringify({ order_id: 'x' }))];
      const deps = { store: s3, notify: async () => undefined, countInvalid: (src: readonly string[]) => s3.countInvalid(src), log };
      expect((await aggregate(batch, deps)).invalid).toBe(3);
      expect(await s3.invalidCount()).toBe(6);
      // Redelivered twice (a crash after the count, before the commit): nothing counted again.
      await aggregate(batch, deps);
      await Promise.all([aggregate(batch, deps), aggregate(batch, deps)]);
      expect(await s3.invalidCount()).toBe(6);
    } finally {
      await s3.deleteAll();
      await s3.close();
    }
  });

  it('concurrent writers with overlapping batches count each order once', async () => {
    const p2 = `test:kpi:${randomUUID().slice(0, 8)}:`;
    const writers = Array.from({ length: 4 }, (_, i) => RedisKpiStore.open(config.redisUrl, p2, `kpi-store-test-${i}`));
    try {
      const results = await Promise.all(
        writers.map(async (w, k) => {
          let n = 0;
          // each writer applies the whole stream in a different order and batch size
          const order = k % 2 === 0 ? all : [...all].reverse();
          for (let i = 0; i < order.length; i += 50 + k * 37) n += (await w.apply(order.slice(i, i + 50 + k * 37))).applied;
          return n;
        }),
      );
      expect(results.reduce((a, b) => a + b, 0)).toBe(3000);
      await materialize(writers[0] as RedisKpiStore);
      expect(await served(writers[0] as RedisKpiStore)).toEqual(expectedServed(events));
    } finally {
      await writers[0]?.deleteAll();
      await Promise.all(writers.map((w) => w.close()));
    }
  });

  it('views never go backwards: an older snapshot is not written over a newer one', async () => {
    const { version } = await store.readAllViews();
    expect(version).not.toBeNull();
    expect(await store.writeViews((version ?? 0) - 1, (await import('../shared/kpi/views.ts')).emptyViews())).toBe(false);
    expect(((await served(store)).summary as { orders: number }).orders).toBe(3000);
  });
});

describe('KPI loss and rebuild on a private redis-server', () => {
  let redis: PrivateRedis;
  let store: RedisKpiStore;
  const prefix = 'op:kpi:';
  const events = kpiTestEvents(2500, 7);
  const facts = events.map(factOf);

  beforeAll(async () => {
    redis = await startPrivateRedis({ appendonly: true });
    store = RedisKpiStore.open(redis.url, prefix, 'kpi-rebuild-test');
  });
  afterAll(async () => {
    await store?.close();
    await redis?.destroy();
  });

  it('FLUSHALL then rebuild (hot + archive sources, overlapping) while live events flow gives identical views', async () => {
    const live = contribs(events);
    for (let i = 0; i < live.length; i += 200) await store.apply(live.slice(i, i + 200));
    await materialize(store);
    const before = await served(store);
    expect(before).toEqual(expectedServed(events));

    await store.redis.flushall();
    expect(((await store.apply([])).epoch)).toBeNull();

    // hot store has the newest 1800, the archive the oldest 1000 (200 in both: moved but not yet deleted)
    const sources = [listSource('hot', facts.slice(700)), listSource('archive', facts.slice(0, 1000))];
    // live redelivery of the last 600 races with the rebuild
    const racing = (async () => {
      for (let i = 1900; i < live.length; i += 25) await store.apply(live.slice(i, i + 25));
    })();
    const r = await rebuild({ store, sources, log, who: 'test', token: leaseToken('test'), batchSize: 300 });
    await racing;
    expect(r.status).toBe('done');
    if (r.status !== 'done') return;
    expect(r.scanned).toBe(2800);
    expect(r.epoch).toBe(await store.serverId());
    expect(await store.getEpoch()).toBe(r.epoch);
    await materialize(store);
    expect(await served(store)).toEqual(before);

    // running it again is harmless
    const again = await rebuild({ store, sources, log, who: 'test', token: leaseToken('test') });
    expect(again.status === 'done' && again.applied).toBe(0);
  });

  it('a second rebuild while one holds the lease is refused (busy)', async () => {
    const token = leaseToken('holder');
    expect(await store.acquireLease(token, 10_000)).toBe(true);
    const r = await rebuild({ store, sources: [], log, who: 'test', token: leaseToken('other') });
    expect(r.status).toBe('busy');
    await store.releaseLease(token);
  });

  it('SIGKILL + restart of Redis changes the run_id: the reconciler asks for the rebuild job, which restores the views', async () => {
    await materialize(store);
    const before = await served(store);
    const epoch = await store.getEpoch();
    expect(epoch).toBe(await store.serverId());

    await redis.kill();
    await redis.start();
    await waitFor(
      async () => {
        await store.ping();
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the Redis client to reconnect' },
    );
    const after = await store.apply([]);
    expect(after.epoch).toBe(epoch); // AOF kept the marker ...
    expect(await store.serverId()).not.toBe(epoch); // ... of another server instance

    // the request runs the job here (in the pipeline: POST /async-function/kpi-rebuild)
    let job: Promise<RebuildJobResult> | undefined;
    const reconciler = createReconciler({
      store,
      request: async () => {
        job = runRebuildJob({
          store,
          openSources: async () => ({ sources: [listSource('hot', facts)], close: async () => undefined }),
          materialize: () => materialize(store),
          log,
          who: 'test',
          token: () => leaseToken('test'),
          progress: () => materialize(store),
        });
      },
      log,
      who: 'test',
    });
    expect(await reconciler.check(after.epoch)).toBe(true);
    await reconciler.idle();
    const r = await job;
    expect(r?.status).toBe('done');
    expect(await store.getEpoch()).toBe(await store.serverId());
    expect(await reconciler.check(await store.getEpoch())).toBe(false);
    expect(await served(store)).toEqual(before);
  });
});
