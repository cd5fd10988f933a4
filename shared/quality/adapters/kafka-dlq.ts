/**
 * DLQ counts from Kafka: reads `orders.dlq` (config.topics.dlq) from its first retained offset to
 * the end offsets taken at the start, with a short-lived consumer of a fresh group that commits
 * nothing (the group is deleted afterwards), counting by the `reason` header (dlq.ts). Bounded in
 * time: a broker that is down or a read that does not reach the end in `timeoutMs` is a
 * DependencyError naming Kafka and how to start it.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { createDlqTally, dlqSourceKey } from '../dlq.ts';
import type { DlqCounts } from '../types.ts';

export interface DlqReadOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: Logger;
}

function header(v: Buffer | string | (Buffer | string)[] | undefined): string | null {
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? null : String(one);
}

/** The offset each non-empty partition must reach (its end offset when the read starts). */
async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } catch (cause) {
    throw new DependencyError('kafka', `could not read the end offsets of ${topic}; is the broker up (npm run stack -- status; start it with npm run stack -- up) and the topic created (npm run setup)?`, { cause });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // an empty group without offsets expires by itself
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function consume(kafka: Kafka, topic: string, ends: Map<number, bigint>, groupId: string, abort: Promise<never>): Promise<DlqCounts> {
  const tally = createDlqTally();
  const pending = new Set(ends.keys());
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500, retry: { retries: 3 } });
  let done!: () => void;
  let failed!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  consumer.on(consumer.events.CRASH, (e) => failed(e.payload.error));
  try {
    await Promise.race([consumer.connect(), abort]);
    await Promise.race([consumer.subscribe({ topic, fromBeginning: true }), abort]);
    await Promise.race([
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition);
          if (end === undefined || !pending.has(batch.partition)) return;
          for (const m of batch.messages) {
            if (BigInt(m.offset) >= end) break;
            tally.add(header(m.headers?.reason), dlqSourceKey(m.value));
          }
          if (BigInt(batch.lastOffset()) >= end - 1n) {
            pending.delete(batch.partition);
            if (pending.size === 0) done();
          }
        },
      }),
      abort,
    ]);
    await Promise.race([finished, abort]);
    return tally.counts();
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Count the DLQ records of `topic` by reason (each source message once). */
export async function readDlqCounts(kafka: Kafka, topic: string, opts: DlqReadOptions = {}): Promise<DlqCounts> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const abort = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyError('kafka', `reading ${topic} did not reach its end offsets within ${timeoutMs} ms; is the broker up? (npm run stack -- status; start it with npm run stack -- up)`)), timeoutMs);
    onAbort = () => reject(new DependencyError('kafka', `reading ${topic} was aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  abort.catch(() => undefined);
  const groupId = `orderpulse-quality-dlq-${randomBytes(6).toString('hex')}`;
  let joined = false;
  try {
    const ends = await Promise.race([endOffsets(kafka, topic), abort]);
    if (ends.size === 0) return { by_reason: {}, records: 0, redelivered: 0 };
    joined = true;
    const counts = await consume(kafka, topic, ends, groupId, abort);
    opts.log?.info('dlq counted', { topic, ms: Date.now() - t0, records: counts.records, redelivered: counts.redelivered });
    return counts;
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    if (joined) await deleteGroup(kafka, groupId);
  }
}
