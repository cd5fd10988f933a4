/**
 * alert-detect (topic orders.accepted, batched; and a cron tick every minute): accepted orders
 * -> the event-time detectors (shared/alerts) -> AlertChange records on the `alerts` topic
 * (key = alert id) -> state + offsets committed in Redis (exactly once; docs/alerts.md).
 * A call without a Kafka delivery (the cron connector's POST) is the tick that sees "orders
 * stopped arriving"; GET answers the open alerts and the watermark. Calls run one at a time.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { createKafka, createSink, type KafkaSink } from '../../shared/adapters/kafka.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { RedisAlertState } from '../../shared/alerts/adapters/redis-state.ts';
import { detectBatch, detectTick, type DeliveredLike, type DetectDeps } from '../../shared/alerts/detect.ts';
import { encodeAlertChange } from '../../shared/alerts/alert.ts';
import { openAlerts } from '../../shared/alerts/detector.ts';

interface Clients {
  store: RedisAlertState;
  sink: KafkaSink;
  topic: string;
}

type Request = { kind: 'batch'; messages: DeliveredLike[] } | { kind: 'tick' } | { kind: 'status' };

let queue: Promise<unknown> = Promise.resolve();
function serial<T>(f: () => Promise<T>): Promise<T> {
  const run = queue.then(f, f);
  queue = run.catch(() => undefined);
  return run;
}

const fn = defineFunction<Clients, Request>({
  name: 'alert-detect',
  async open(config, log) {
    const store = RedisAlertState.open(config.redisUrl, config.kpiPrefix, log);
    try {
      const sink = await createSink(createKafka(config, 'orderpulse-alert-detect', log));
      return { store, sink, topic: config.alertsTopic };
    } catch (err) {
      await store.close();
      throw err;
    }
  },
  parse(event) {
    if (event.method === 'GET') return { kind: 'status' };
    const ct = String(event.headers['content-type'] ?? '');
    if (ct.includes('kafka-batch') || event.headers['x-topic'] !== undefined) return { kind: 'batch', messages: decodeEvent(event).messages };
    return { kind: 'tick' };
  },
  handle(req, _ctx, c, log) {
    const deps: DetectDeps = {
      store: c.store,
      publish: (changes) => c.sink.send(c.topic, changes.map((ch) => ({ key: ch.alert.id, value: encodeAlertChange(ch) }))),
      log,
    };
    if (req.kind === 'status') {
      return c.store.load().then(({ version, state }) => ({ version, watermark: state?.detector.watermark == null ? null : new Date(state.detector.watermark).toISOString(), open: state ? openAlerts(state.detector) : [], offsets: state?.offsets ?? {} }));
    }
    return serial(() => (req.kind === 'batch' ? detectBatch(req.messages, deps) : detectTick(deps)));
  },
  async health(clients) {
    const c = await clients();
    await c.store.ping();
    return { status: 'ok' };
  },
  async close(c) {
    await c.sink.close().catch(() => undefined);
    await c.store.close();
  },
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
