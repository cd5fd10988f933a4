/**
 * aggregate (topic orders.accepted, batched): accepted orders -> exactly-once KPI counters in
 * Redis -> a change notice on kpi.deltas. Parses the delivery, calls shared/kpi, maps the result.
 * Also reconciles: when the counters' epoch marker is missing (FLUSHALL, Redis lost its data)
 * or stale (Redis restarted), a rebuild from MongoDB + archive starts in the background.
 */
import type { FnContext, FnEvent } from '../../shared/platform/fn.ts';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { createKafka, createSink, type KafkaSink } from '../../shared/adapters/kafka.ts';
import { aggregate } from '../../shared/kpi/aggregate.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { openKpiRuntime, type KpiRuntime } from '../../shared/kpi/adapters/open.ts';
import type { KpiNotice } from '../../shared/kpi/types.ts';

const config = loadConfig();
const log = createLogger({ fn: 'aggregate' });

interface Runtime extends KpiRuntime {
  sink: KafkaSink;
}

let runtime: Promise<Runtime> | undefined;

function open(): Promise<Runtime> {
  runtime ??= (async () => {
    const kpi = openKpiRuntime(config, log, 'aggregate');
    try {
      const sink = await createSink(createKafka(config, 'orderpulse-aggregate', log));
      return { ...kpi, sink };
    } catch (err) {
      await kpi.close();
      throw err;
    }
  })().catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return runtime;
}

export default async function handler(event: FnEvent, _context: FnContext): Promise<unknown> {
  const messages = decodeEvent(event).messages;
  const rt = await open();
  const out = await aggregate(messages, {
    store: rt.store,
    // One key: every notice lands on one partition, so cache-write sees them in order and
    // many notices arrive as one batch (one materialisation) under load.
    notify: (n: KpiNotice) => rt.sink.send(config.topics.deltas, [{ key: 'kpi', value: JSON.stringify(n) }]),
    countInvalid: (n) => rt.store.countInvalid(n),
    log,
  });
  let rebuilding = false;
  try {
    rebuilding = await rt.reconciler.check(out.epoch);
  } catch (err) {
    log.warn('kpi reconcile check failed (will check again on the next batch)', { err });
  }
  return { ...out, rebuilding };
}

export async function health(): Promise<unknown> {
  const rt = await open();
  await rt.store.ping();
  return { status: 'ok', rebuild: await rt.store.getRebuildStatus() };
}

export async function shutdown(): Promise<void> {
  if (!runtime) return;
  const rt = await runtime.catch(() => undefined);
  runtime = undefined;
  if (!rt) return;
  await rt.sink.close().catch(() => undefined);
  await rt.close();
}
