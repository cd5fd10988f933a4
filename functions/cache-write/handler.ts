/**
 * cache-write (topic kpi.deltas, batched): materialise the served KPI views in Redis from one
 * consistent snapshot of the counters, stamp as_of, PUBLISH the change for the dashboard's SSE.
 * Any number of notices in one delivery, or arriving during a run, cost one materialisation.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { coalesce } from '../../shared/kpi/coalesce.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { materialize, type MaterializeResult } from '../../shared/kpi/materialize.ts';
import { RedisKpiStore } from '../../shared/kpi/adapters/redis-store.ts';
import { kpiMetrics, processRegistry } from '../../shared/platform/metrics.ts';
import { batchNewest } from '../../shared/kpi/freshness.ts';

/** orderpulse_kpi_* (served on /_/metrics): event time → view time. */
const metrics = kpiMetrics(processRegistry());

interface Clients {
  store: RedisKpiStore;
  run: () => Promise<MaterializeResult>;
}

const fn = defineFunction({
  name: 'cache-write',
  open(config, log): Clients {
    const store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-cache-write', log);
    return { store, run: coalesce(() => materialize(store)) };
  },
  parse: (event) => decodeEvent(event).messages,
  async handle(notices, _ctx, c) {
    const r = await c.run();
    metrics.materialized({ written: r.written, viewMs: Date.now(), newestEventMs: r.newestEventMs ?? null, batchNewestMs: batchNewest(notices.map((m) => m.value)) });
    return { notices: notices.length, version: r.version, written: r.written, orders: r.orders };
  },
  async health(clients) {
    const c = await clients();
    await c.store.ping();
    return { status: 'ok' };
  },
  close: (c) => c.store.close(),
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
