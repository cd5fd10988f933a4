/**
 * Kafka plumbing for the ingest integration tests and the ingest benchmark (real broker, kafkajs):
 * create/delete topics, produce raw messages, read a topic back as delivered batches (through
 * the connector's wire format, as a function receives them) or as plain records. Every wait has a timeout.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { decodeBatch, encodeBatch } from '../../shared/delivery/kafka-batch.ts';
import { recordFromKafka, type DeliveredBatch, type KafkaRecord } from '../../shared/delivery/wire.ts';
import type { RawMessage } from './batch.ts';

export function suffix(): string {
  return randomBytes(4).toString('hex');
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms (is the stack up? npm run stack -- status)`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Create a topic (optionally allowing messages up to maxMessageBytes). */
export async function createTopic(admin: Admin, topic: string, partitions: number, maxMessageBytes?: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: maxMessageBytes ? [{ name: 'max.message.bytes', value: String(maxMessageBytes) }] : [] }],
  });
}

export async function deleteTopics(admin: Admin, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const mine = topics.filter((t) => existing.has(t));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 }).catch(() => undefined);
}

/** Produce messages in order (acks=all), in requests of at most ~maxBytes. Returns the count. */
export async function produceRaw(producer: Producer, topic: string, messages: RawMessage[], opts: { partition?: number; maxBytes?: number } = {}): Promise<number> {
  const maxBytes = opts.maxBytes ?? 512 * 1024;
  let chunk: { key: string | null; value: Buffer; partition?: number }[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await producer.send({ topic, acks: -1, messages: chunk });
    chunk = [];
    size = 0;
  };
  for (const m of messages) {
    if (size + m.bytes.length > maxBytes) await flush();
    chunk.push(opts.partition === undefined ? { key: m.key, value: m.bytes } : { key: m.key, value: m.bytes, partition: opts.partition });
    size += m.bytes.length + 64;
  }
  await flush();
  return messages.length;
}

export interface ReadOptions {
  /** Stop once this many messages were read. */
  expected: number;
  timeoutMs: number;
  /** Batch size cap (messages), like the connector's batch-max-messages. */
  maxBatch?: number;
}

/** Read a topic from the beginning with a throwaway consumer group, as connector-style batches (encoded, then decoded). */
export async function readBatches(kafka: Kafka, topic: string, opts: ReadOptions): Promise<DeliveredBatch[]> {
  const out: DeliveredBatch[] = [];
  const maxBatch = opts.maxBatch ?? 1000;
  await consumeFromStart(kafka, topic, opts, (t, partition, msgs) => {
    for (let i = 0; i < msgs.length; i += maxBatch) out.push(decodeBatch(JSON.parse(encodeBatch(t, partition, msgs.slice(i, i + maxBatch)).toString('utf8'))));
  });
  return out;
}

export interface PlainRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** Read a topic from the beginning as plain records. */
export async function readRecords(kafka: Kafka, topic: string, opts: ReadOptions): Promise<PlainRecord[]> {
  const out: PlainRecord[] = [];
  await consumeFromStart(kafka, topic, opts, (_t, partition, msgs, raw) => {
    msgs.forEach((m, i) => out.push({ partition, offset: m.offset, key: m.key === null ? null : m.key.toString('utf8'), value: raw[i]!.value, headers: raw[i]!.headers }));
  });
  return out;
}

/** How many messages a topic holds (sum over partitions of high watermark − low watermark). */
export async function topicSize(admin: Admin, topic: string): Promise<number> {
  const offs = await admin.fetchTopicOffsets(topic);
  return offs.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

async function consumeFromStart(
  kafka: Kafka,
  topic: string,
  opts: ReadOptions,
  onBatch: (topic: string, partition: number, msgs: KafkaRecord[], raw: { value: Buffer; headers: Record<string, string> }[]) => void,
): Promise<void> {
  if (opts.expected === 0) return;
  const consumer = kafka.consumer({ groupId: `ingest-test-reader-${suffix()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200, maxBytesPerPartition: 8 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch, heartbeat }) => {
              const msgs: KafkaRecord[] = [];
              const raw: { value: Buffer; headers: Record<string, string> }[] = [];
              for (const m of batch.messages) {
                const value = m.value ?? Buffer.alloc(0);
                msgs.push(recordFromKafka(m));
                const headers: Record<string, string> = {};
                for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
                raw.push({ value, headers });
              }
              onBatch(batch.topic, batch.partition, msgs, raw);
              seen += msgs.length;
              await heartbeat();
              if (seen >= opts.expected) resolve();
            },
          })
          .catch(reject);
      }),
      opts.timeoutMs,
      `reading ${opts.expected} messages from ${topic}`,
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
