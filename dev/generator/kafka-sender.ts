/**
 * Kafka adapter for the generator: a kafkajs producer behind the pump's BatchSender interface.
 * acks=-1 (all in-sync replicas), no compression, several requests in flight. Not idempotent:
 * kafkajs's idempotent mode serialises requests per broker, which caps throughput; a retried
 * send can therefore write an exact copy of a message, which the pipeline ignores by contract.
 * Partitions are computed here with Kafka's default key partitioner (same placement as kafkajs
 * and the Java client, without kafkajs's slow 64-bit emulation).
 */
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { DependencyError } from '../../shared/platform/errors.ts';
import { topicPartitionCount } from '../../shared/adapters/kafka.ts';
import { partitionForKey } from '../../shared/adapters/kafka-partition.ts';
import type { BatchSender } from './pump.ts';

export interface KafkaBatchSender extends BatchSender {
  producer: Producer;
  partitions: number;
  close(): Promise<void>;
}

export async function createKafkaBatchSender(kafka: Kafka, topic: string): Promise<KafkaBatchSender> {
  const partitions = await topicPartitionCount(kafka, topic);
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
  } catch (cause) {
    throw new DependencyError('kafka', 'generator producer could not connect; is the broker up? (npm run stack -- status)', { cause });
  }
  return {
    producer,
    partitions,
    async send(batch) {
      const messages = new Array<Message>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        messages[i] = { key: m.key, value: m.value, partition: partitionForKey(m.key, partitions) };
      }
      try {
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      } catch (cause) {
        throw new DependencyError('kafka', `send of ${batch.length} messages to ${topic} failed`, { cause });
      }
    },
    close: () => producer.disconnect(),
  };
}
