/**
 * kafkajs 2.2.4 against the real Kafka 4.x broker of the local stack (KIP-896 removed old
 * protocol versions): topics, idempotent producer, consumer groups, manual offset commits.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { loadConfig } from '../../shared/platform/config.ts';
import { createKafka, createSink, ensureTopics, type KafkaSink } from '../../shared/adapters/kafka.ts';

const config = loadConfig();
const suffix = randomBytes(4).toString('hex');
const topic = `stack-int-${suffix}`;
const group = `stack-int-g-${suffix}`;
const kafka = createKafka(config, `stack-int-${suffix}`);
let admin: Admin;
let sink: KafkaSink;
const consumers: Consumer[] = [];

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Consume with manual commits (as the connector does) until `want` messages arrived. */
async function consumeAndCommit(want: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
            for (const m of batch.messages) {
              seen.push(m.value?.toString() ?? '');
              resolveOffset(m.offset);
            }
            const last = batch.messages.at(-1);
            if (last) await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
            await heartbeat();
            if (seen.length >= want) resolve();
          },
        })
        .catch(reject);
    }),
    60_000,
    `consuming ${want} messages`,
  );
  await consumer.disconnect();
  return seen;
}

describe('kafkajs 2.2.4 against Kafka 4.x (local stack)', () => {
  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    sink = await createSink(kafka);
  });

  afterAll(async () => {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    await sink?.close().catch(() => undefined);
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.deleteGroups([group]).catch(() => undefined);
    await admin?.disconnect();
  });

  it('describes a one-broker KRaft cluster', async () => {
    const c = await admin.describeCluster();
    expect(c.brokers).toHaveLength(1);
    expect(c.brokers[0]?.port).toBe(config.kafkaPort);
  });

  it('creates a topic with 4 partitions (idempotently) and refuses auto-creation', async () => {
    await ensureTopics(admin, [{ topic, partitions: 4 }]);
    await ensureTopics(admin, [{ topic, partitions: 4 }]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(4);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: `${topic}-missing`, messages: [{ value: 'x' }] })).rejects.toThrow();
    } finally {
      await producer.disconnect();
    }
    expect((await admin.listTopics()).includes(`${topic}-missing`)).toBe(false);
  });

  it('produces with the idempotent producer, consumes in a group, commits, and re-reads the committed offsets', async () => {
    const n = 200;
    const messages = Array.from({ length: n }, (_, i) => ({ key: `k${i % 17}`, value: `v${i}`, headers: { seq: String(i) } }));
    await sink.send(topic, messages);

    const seen = await consumeAndCommit(n);
    expect(new Set(seen)).toEqual(new Set(messages.map((m) => m.value)));

    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const committed = offsets[0]?.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(n);
    const ends = await admin.fetchTopicOffsets(topic);
    for (const p of offsets[0]?.partitions ?? []) {
      expect(p.offset).toBe(ends.find((e) => e.partition === p.partition)?.high);
    }

    // A new member of the same group resumes after the committed offsets: only new messages.
    await sink.send(topic, [{ key: 'late', value: 'late-1' }]);
    const again = await consumeAndCommit(1);
    expect(again).toEqual(['late-1']);
  });
});
