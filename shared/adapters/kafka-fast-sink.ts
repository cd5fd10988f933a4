/**
 * A MessageSink on @platformatic/kafka's producer, for the hot path of ingest (`orders.accepted`,
 * the DLQ): the same contract as createSink (kafka.ts) — idempotent, acks=all, no compression,
 * every send acknowledged before it resolves, failures as retriable DependencyError — at less
 * CPU per message than kafkajs (docs/kafka.md "Producing": record encoding without 64-bit Long
 * emulation, no quadratic per-partition grouping).
 *
 * Placement is kafkajs's DefaultPartitioner's, exactly: murmur2 of the key's UTF-8 bytes, made
 * positive, modulo the partition count (kafka-partition.ts, tested against kafkajs's own
 * murmur2), so every order_id lands on the partition it did before and per-key order holds
 * across the switch. Keyless messages (none on the ingest path) go round-robin, as in kafkajs.
 */
import { Producer, type MessageToProduce } from '@platformatic/kafka';
import { murmur2 } from './kafka-partition.ts';
import type { Config } from '../platform/config.ts';
import { ConfigError, DependencyError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';
import type { MessageSink, OutMessage } from './kafka.ts';

export interface FastSink extends MessageSink {
  close(): Promise<void>;
}

const toBuffer = (v: string | Buffer): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/** kafkajs's DefaultPartitioner: the key's murmur2 made positive; the producer takes it modulo the topic's partition count. */
export function kafkajsCompatiblePartition(key: Buffer): number {
  return murmur2(key) & 0x7fffffff;
}

/** One @platformatic/kafka message of an OutMessage (headers as a Map of Buffers). */
function toProduce(topic: string, m: OutMessage): MessageToProduce {
  const out: MessageToProduce = { topic, value: toBuffer(m.value) };
  if (m.key !== null) out.key = toBuffer(m.key);
  if (m.headers !== undefined) {
    const h = new Map<Buffer, Buffer>();
    for (const [k, v] of Object.entries(m.headers)) h.set(Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8'));
    out.headers = h;
  }
  return out;
}

/** An idempotent producer (acks=all) on @platformatic/kafka, connected (metadata read) before it resolves. */
/** @platformatic/kafka needs Node ≥ 22 (Promise.withResolvers among others); without it every send would fail with a TypeError. */
export function checkFastSinkRuntime(version: string = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (!(major >= 22)) throw new ConfigError(`the ingest producer @platformatic/kafka needs Node 22 or later, this is Node ${version}: run under Node 24 (scripts/bootstrap.mjs --path, as npm test does; the function image is node24-ts) or set INGEST_PRODUCER=kafkajs`);
}

export async function createFastSink(config: Config, clientId: string, log?: Logger): Promise<FastSink> {
  checkFastSinkRuntime();
  let roundRobin = 0;
  const producer = new Producer({
    clientId,
    bootstrapBrokers: config.kafkaBrokers,
    idempotent: true,
    acks: -1,
    autocreateTopics: false,
    // A broker restart takes seconds (docs/operations.md): retry for ~8 s inside one send, then
    // fail the call retriably (503) and let the connector redeliver, as with kafkajs.
    retries: 8,
    retryDelay: 1000,
    partitioner: (_m, key) => (key === undefined ? roundRobin++ & 0x7fffffff : kafkajsCompatiblePartition(key)),
  });
  try {
    await producer.initIdempotentProducer({ acks: -1 });
  } catch (cause) {
    await producer.close(true).catch(() => undefined);
    throw new DependencyError('kafka', 'producer could not connect; is the broker up? (npm run stack -- status; start it with npm run stack -- up --all)', { cause });
  }
  log?.debug('fast producer connected', { clientId, producerId: String(producer.producerId) });
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      const batch = new Array<MessageToProduce>(messages.length);
      for (let i = 0; i < messages.length; i++) batch[i] = toProduce(topic, messages[i]!);
      try {
        await producer.send({ messages: batch });
      } catch (cause) {
        throw new DependencyError('kafka', `send to ${topic} failed`, { cause });
      }
    },
    async close() {
      await producer.close();
    },
  };
}
