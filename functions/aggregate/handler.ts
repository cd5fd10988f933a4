/**
 * aggregate (topic orders.accepted, batched): accepted orders -> exactly-once KPI counters in
 * Redis -> a change notice on kpi.deltas. Parses the delivery, calls shared/kpi, maps the result.
 * When the counters' epoch marker is missing (FLUSHALL, Redis lost its data) or stale (Redis
 * restarted) it ASKS the kpi-rebuild function for a rebuild (asynchronously, through the
 * gateway) and goes on; it never rebuilds itself (shared/kpi/reconcile.ts).
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { createKafka, createSink, type KafkaSink } from '../../shared/adapters/kafka.ts';
import { aggregate } from '../../shared/kpi/aggregate.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { openKpiRuntime, type KpiRuntime } from '../../shared/kpi/adapters/open.ts';
import type { KpiNotice } from '../../shared/kpi/types.ts';

interface Clients extends KpiRuntime {
  sink: KafkaSink;
  deltasTopic: string;
}

const fn = defineFunction({
  name: 'aggregate',
  async open(config, log): Promise<Clients> {
    const kpi = openKpiRuntime(config, log, 'aggregate');
    try {
      const sink = await createSink(createKafka(config, 'orderpulse-aggregate', log));
      return { ...kpi, sink, deltasTopic: config.topics.deltas };
    } catch (err) {
      await kpi.close();
      throw err;
    }
  },
  parse: (event) => decodeEvent(event).messages,
  async handle(messages, _ctx, c, log) {
    const out = await aggregate(messages, {
      store: c.store,
      // One key: every notice lands on one partition, so cache-write sees them in order and
      // many notices arrive as one batch (one materialisation) under load.
      notify: (n: KpiNotice) => c.sink.send(c.deltasTopic, [{ key: 'kpi', value: JSON.stringify(n) }]),
      countInvalid: (sources) => c.store.countInvalid(sources),
      log,
    });
    let rebuildNeeded = false;
    try {
      rebuildNeeded = await c.reconciler.check(out.epoch);
    } catch (err) {
      log.warn('kpi reconcile check failed (will check again on the next batch)', { err });
    }
    return { ...out, rebuild_needed: rebuildNeeded };
  },
  async health(clients) {
    const c = await clients();
    await c.store.ping();
    return { status: 'ok', rebuild: await c.store.getRebuildStatus() };
  },
  async close(c) {
    await c.sink.close().catch(() => undefined);
    await c.close();
  },
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
