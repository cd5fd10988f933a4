/**
 * Consumer lag per topic and partition, measured from outside the consumers: every interval the
 * group's committed offsets are compared with the partitions' high watermarks (what
 * `kafka-consumer-groups --describe` shows) and reported through ConnectorMetrics.lag. Measured
 * this way the lag keeps growing while a consumer is crashed, stalled or rebalancing — exactly
 * when the consumer itself can no longer report it.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../shared/platform/log.ts';
import type { ConnectorMetrics } from './metrics.ts';

export interface LagTarget {
  fn: string;
  groupId: string;
  topics: string[];
}

export interface LagMonitor {
  /** One measurement now (also what the timer runs). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Lag of one partition: high watermark minus the committed offset; a group that never committed
 * reads from the beginning (subscribed fromBeginning), so it lags by everything still retained.
 */
export function partitionLag(high: string, low: string, committed: string): number {
  const h = BigInt(high);
  const next = committed === '-1' || committed === '' ? BigInt(low) : BigInt(committed);
  const lag = h - next;
  return lag > 0n ? Number(lag) : 0;
}

export async function startLagMonitor(opts: { kafka: Kafka; targets: LagTarget[]; metrics: ConnectorMetrics; intervalMs: number; log: Logger }): Promise<LagMonitor> {
  const admin: Admin = opts.kafka.admin();
  await admin.connect();
  let running: Promise<void> | undefined;
  let warned = false;

  async function measure(): Promise<void> {
    const topics = [...new Set(opts.targets.flatMap((t) => t.topics))];
    const watermarks = new Map<string, Map<number, { high: string; low: string }>>();
    for (const topic of topics) {
      const offs = await admin.fetchTopicOffsets(topic);
      watermarks.set(topic, new Map(offs.map((o) => [o.partition, { high: o.high, low: o.low }])));
    }
    for (const t of opts.targets) {
      const committed = await admin.fetchOffsets({ groupId: t.groupId, topics: t.topics });
      for (const { topic, partitions } of committed) {
        const marks = watermarks.get(topic);
        if (!marks) continue;
        for (const p of partitions) {
          const m = marks.get(p.partition);
          if (m) opts.metrics.lag(t.fn, topic, p.partition, partitionLag(m.high, m.low, p.offset));
        }
      }
    }
  }

  const poll = (): Promise<void> =>
    (running ??= measure()
      .then(() => {
        warned = false;
      })
      .catch((err: unknown) => {
        // The broker being down is reported elsewhere; say it once per outage.
        if (!warned) opts.log.warn('consumer lag not measured (kafka unreachable?); the lag metric keeps its last value', { err });
        warned = true;
      })
      .finally(() => {
        running = undefined;
      }));

  await poll();
  const timer = setInterval(() => void poll(), opts.intervalMs);
  timer.unref();
  return {
    poll,
    async stop() {
      clearInterval(timer);
      await running;
      await admin.disconnect().catch(() => undefined);
    },
  };
}
