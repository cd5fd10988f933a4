/**
 * Kafka connector: turns `topic` annotations into invocations through the gateway.
 * One kafkajs consumer group `<groupPrefix><function>` per function, subscribed to its topics
 * from the beginning. Batched delivery (default): each fetched partition batch is cut into chunks
 * (max messages / max bytes) and each chunk is POSTed to /function/<name> as a KafkaBatch
 * (application/vnd.orderpulse.kafka-batch+json; format in shared/delivery/wire.ts). Only after a 2xx is the chunk's last offset
 * resolved and committed; any other answer (or a connection error) retries the same chunk with
 * backoff, forever, heartbeating meanwhile. Nothing is skipped: delivery is at-least-once, in
 * offset order within a partition. `orderpulse.dev/delivery: single` sends one message per
 * invocation the OpenFaaS way (raw body + X-Topic, X-Kafka-Partition, X-Kafka-Offset, X-Kafka-Key).
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Config } from '../shared/platform/config.ts';
import { createKafka, ensureTopics } from '../shared/adapters/kafka.ts';
import { DependencyError } from '../shared/platform/errors.ts';
import type { Logger } from '../shared/platform/log.ts';
import type { FunctionDef } from './stackfile.ts';
import { chunk } from '../shared/delivery/chunk.ts';
import { encodeBatch, encodedSize } from '../shared/delivery/kafka-batch.ts';
import { encodeSingle } from '../shared/delivery/single.ts';
import { KAFKA_BATCH_CONTENT_TYPE, recordFromKafka } from '../shared/delivery/wire.ts';
import { deliverWithRetry, type InvokeResult } from './deliver.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { ConnectorMetrics } from './metrics.ts';

export const DEFAULT_MAX_MESSAGES = 1000;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

export interface KafkaConnectorOptions {
  config: Config;
  functions: FunctionDef[];
  gatewayUrl: string;
  log: Logger;
  /** Consumer group = groupPrefix + function name (default "orderpulse-"). */
  groupPrefix?: string;
  /** Defaults when a function has no orderpulse.dev/batch-max-* annotation. */
  maxMessages?: number;
  maxBytes?: number;
  /** Topics created before subscribing (name -> partitions). Subscribed topics not listed get defaultPartitions. */
  topicPartitions?: Record<string, number>;
  defaultPartitions?: number;
  /** Partitions of one function processed at the same time (each partition stays in order). */
  partitionsConcurrency?: number;
  backoff?: BackoffPolicy;
  /** Delivery metrics hooks (default: none, NO_CONNECTOR_METRICS). */
  metrics?: ConnectorMetrics;
}

export interface FunctionDeliveryStats {
  invocations: number;
  messages: number;
  retries: number;
  lastOffsets: Record<string, string>;
}

export interface KafkaConnector {
  stats(): Record<string, FunctionDeliveryStats>;
  stop(): Promise<void>;
}

async function post(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<InvokeResult> {
  try {
    const r = await fetch(url, { method: 'POST', body: body as Buffer<ArrayBuffer>, headers, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    const text = await r.text();
    return { status: r.status, excerpt: text.slice(0, 300) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { status: 0, excerpt: `${e.message}${e.cause ? `: ${e.cause.code ?? e.cause.message ?? ''}` : ''}` };
  }
}

export async function startKafkaConnector(opts: KafkaConnectorOptions): Promise<KafkaConnector> {
  const { log } = opts;
  const fns = opts.functions.filter((f) => f.topics.length > 0);
  const kafka = createKafka(opts.config, 'orderpulse-kafka-connector', log.child({ component: 'kafkajs' }));
  const abort = new AbortController();
  const stats: Record<string, FunctionDeliveryStats> = {};
  const consumers: Consumer[] = [];

  const wanted = { ...(opts.topicPartitions ?? {}) };
  for (const f of fns) for (const t of f.topics) wanted[t] ??= opts.defaultPartitions ?? 4;
  const admin = kafka.admin();
  try {
    await admin.connect();
    await ensureTopics(admin, Object.entries(wanted).map(([topic, partitions]) => ({ topic, partitions })));
  } catch (cause) {
    throw new DependencyError('kafka', 'cannot create topics; is the broker up? (npm run stack -- status)', { cause });
  } finally {
    await admin.disconnect().catch(() => {});
  }

  async function runFunction(f: FunctionDef): Promise<Consumer> {
    const flog = log.child({ component: 'kafka-connector', fn: f.name });
    const maxMessages = f.batchMaxMessages ?? opts.maxMessages ?? DEFAULT_MAX_MESSAGES;
    const maxBytes = f.batchMaxBytes ?? opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const url = `${opts.gatewayUrl}/function/${encodeURIComponent(f.name)}`;
    const st: FunctionDeliveryStats = (stats[f.name] = { invocations: 0, messages: 0, retries: 0, lastOffsets: {} });
    const consumer = kafka.consumer({
      groupId: `${opts.groupPrefix ?? 'orderpulse-'}${f.name}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: Math.max(maxBytes, 1024 * 1024),
      maxBytes: Math.max(maxBytes * 4, 10 * 1024 * 1024),
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.CRASH, (e) => flog.error('consumer crashed', { err: e.payload.error, restart: e.payload.restart }));
    await consumer.connect();
    await consumer.subscribe({ topics: f.topics, fromBeginning: true });

    const eachBatch = async (p: EachBatchPayload): Promise<void> => {
      const { batch } = p;
      const where = { topic: batch.topic, partition: batch.partition };
      let heartbeatError: unknown;
      const heartbeat = async (): Promise<void> => {
        try {
          await p.heartbeat();
        } catch (err) {
          heartbeatError = err;
          throw err;
        }
      };
      const isActive = (): boolean => p.isRunning() && !p.isStale() && heartbeatError === undefined && !abort.signal.aborted;
      const msgs = batch.messages.map(recordFromKafka);
      const chunks = f.delivery === 'single' ? msgs.map((m) => [m]) : chunk(msgs, { maxItems: maxMessages, maxSize: maxBytes, sizeOf: encodedSize });
      for (const part of chunks) {
        if (!isActive()) break;
        const first = part[0]!;
        const last = part[part.length - 1]!;
        let body: Buffer;
        let headers: Record<string, string>;
        if (f.delivery === 'single') {
          ({ body, headers } = encodeSingle(batch.topic, batch.partition, first));
          headers['x-connector'] = 'orderpulse-kafka-connector';
        } else {
          body = encodeBatch(batch.topic, batch.partition, part);
          headers = {
            'content-type': KAFKA_BATCH_CONTENT_TYPE,
            'x-topic': batch.topic,
            'x-kafka-partition': String(batch.partition),
            'x-kafka-first-offset': first.offset,
            'x-kafka-last-offset': last.offset,
            'x-connector': 'orderpulse-kafka-connector',
          };
        }
        const outcome = await deliverWithRetry(
          {
            invoke: () => {
              st.invocations++;
              return post(url, body, headers, f.timeoutMs + 5000, abort.signal);
            },
            isActive,
            heartbeat,
            log: flog,
            backoff: opts.backoff ?? { initialMs: 200, maxMs: 10_000 },
            signal: abort.signal,
          },
          { ...where, firstOffset: first.offset, lastOffset: last.offset, messages: part.length },
        );
        st.retries += outcome.attempts - 1;
        if (!outcome.delivered) {
          // Not acknowledged: the group redelivers from the last committed offset. A failed
          // heartbeat means a rebalance: rethrow so kafkajs rejoins the group.
          if (heartbeatError !== undefined) throw heartbeatError;
          return;
        }
        p.resolveOffset(last.offset);
        await p.commitOffsetsIfNecessary();
        st.messages += part.length;
        st.lastOffsets[`${batch.topic}:${batch.partition}`] = last.offset;
      }
    };

    await consumer.run({
      autoCommit: true,
      // Commit as soon as one offset is resolved, i.e. after every acknowledged chunk.
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.partitionsConcurrency ?? 4,
      eachBatch,
    });
    flog.info('consuming', { topics: f.topics, group: `${opts.groupPrefix ?? 'orderpulse-'}${f.name}`, delivery: f.delivery, maxMessages, maxBytes });
    return consumer;
  }

  try {
    for (const f of fns) consumers.push(await runFunction(f));
  } catch (cause) {
    abort.abort();
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    throw new DependencyError('kafka', 'connector could not start its consumers; is the broker up? (npm run stack -- status)', { cause });
  }

  return {
    stats: () => stats,
    async stop() {
      abort.abort();
      await Promise.allSettled(consumers.map((c) => c.disconnect()));
    },
  };
}
