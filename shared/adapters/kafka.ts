/**
 * Kafka adapter: the only module (with runtime/ connectors) that imports kafkajs.
 * Core logic depends on the small `MessageSink` interface instead.
 */
import { Kafka, logLevel, CompressionTypes, Partitioners, type Producer, type Admin } from 'kafkajs';
import type { Config } from '../platform/config.ts';
import { DependencyError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';
import { registerKafkaCodecs } from './kafka-codecs.ts';

export interface OutMessage {
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

/** Where core logic sends messages (DLQ, accepted events, deltas). */
export interface MessageSink {
  send(topic: string, messages: OutMessage[]): Promise<void>;
}

export function createKafka(config: Config, clientId: string, log?: Logger): Kafka {
  // Every codec (kafkajs ships gzip only): snappy, lz4, zstd batches are read, not a crash.
  registerKafkaCodecs();
  return new Kafka({
    clientId,
    brokers: config.kafkaBrokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      // kafkajs logs every timeout/reconnect at ERROR; keep them but as structured warnings.
      log?.warn(`kafkajs: ${message}`, { namespace: entry.namespace, ...rest });
    },
  });
}

export interface KafkaSink extends MessageSink {
  producer: Producer;
  close(): Promise<void>;
}

/** An idempotent producer (acks=all) wrapped as a MessageSink. */
export async function createSink(kafka: Kafka): Promise<KafkaSink> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
  } catch (cause) {
    throw new DependencyError('kafka', 'producer could not connect; is the broker up? (npm run stack -- status)', { cause });
  }
  return {
    producer,
    async send(topic, messages) {
      if (messages.length === 0) return;
      try {
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      } catch (cause) {
        throw new DependencyError('kafka', `send to ${topic} failed`, { cause });
      }
    },
    async close() {
      await producer.disconnect();
    },
  };
}

/** Durability of the topics created (the set-up step passes KAFKA_REPLICATION_FACTOR / KAFKA_MIN_INSYNC_REPLICAS). */
export interface TopicDurability {
  /** Replicas per partition; unset: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** The topic's min.insync.replicas; unset: the broker's default. */
  minInsyncReplicas?: number;
}

/** Create topics that do not exist yet (idempotent; existing topics are left as they are). */
export async function ensureTopics(admin: Admin, topics: { topic: string; partitions: number }[], durability: TopicDurability = {}): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  const configEntries = durability.minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(durability.minInsyncReplicas) }];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      // -1: the broker's default.replication.factor (Kafka ≥ 2.4).
      topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: durability.replicationFactor ?? -1, configEntries })),
    });
  } catch (cause) {
    // Another process may have created it in between.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) {
      const rf = durability.replicationFactor === undefined ? '' : ` with replication factor ${durability.replicationFactor} (KAFKA_REPLICATION_FACTOR; at most the number of brokers)`;
      throw new DependencyError('kafka', `could not create topics ${missing.map((t) => t.topic).join(', ')}${rf}`, { cause });
    }
  }
}

/** How many partitions `topic` has (DependencyError naming the topic when it cannot be read). */
export async function topicPartitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const n = meta.topics[0]?.partitions.length ?? 0;
    if (n < 1) throw new Error(`topic ${topic} has no partitions`);
    return n;
  } catch (cause) {
    throw new DependencyError('kafka', `could not read the metadata of topic ${topic}; does it exist and is the broker up? (npm run stack -- status)`, { cause });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
