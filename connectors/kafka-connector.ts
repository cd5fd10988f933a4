/**
 * Kafka connector: turns `topic` annotations into invocations through the gateway.
 * One kafkajs consumer group `<groupPrefix><function>` per function, subscribed to its topics
 * from the beginning. Batched delivery (default): each fetched partition batch is cut into chunks
 * (max messages / max bytes) and each chunk is POSTed to /function/<name> as a KafkaBatch
 * (application/vnd.orderpulse.kafka-batch+json; format in shared/delivery/wire.ts). Only after a 2xx is the chunk's last offset
 * resolved and committed; any other answer (or a connection error) retries the same chunk with
 * backoff, heartbeating meanwhile. Nothing is skipped silently: delivery is at-least-once, in
 * offset order within a partition. A chunk the function refuses permanently (the same
 * non-retriable answer `parkAfter` times in a row, deliver.ts isPermanent) is written to
 * `<topic>.parked` (parking.ts) with an error log, and the partition moves on; `npm run
 * replay-parked` delivers it again later. A consumer that crashes (broker away longer than the
 * client's retries, any error kafkajs gives up on) is replaced by a new one with backoff, for
 * ever. `orderpulse.dev/delivery: single` sends one message per invocation the OpenFaaS way (raw
 * body + X-Topic, X-Kafka-Partition, X-Kafka-Offset, X-Kafka-Key).
 * Scale-out: partitions of one function are delivered concurrently, one chunk in flight per
 * partition, up to max(4, replicas) partitions at a time (partitionsOf); the gateway spreads
 * those calls over the function's replicas.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Config } from '../shared/platform/config.ts';
import { createKafka, createSink, ensureTopics, type KafkaSink } from '../shared/adapters/kafka.ts';
import { DependencyError } from '../shared/platform/errors.ts';
import type { Logger } from '../shared/platform/log.ts';
import type { FunctionDef } from './stackfile.ts';
import { chunk } from '../shared/delivery/chunk.ts';
import { encodeBatch, encodedSize } from '../shared/delivery/kafka-batch.ts';
import { encodeSingle } from '../shared/delivery/single.ts';
import { KAFKA_BATCH_CONTENT_TYPE, recordFromKafka, type KafkaRecord } from '../shared/delivery/wire.ts';
import { deliverWithRetry, errorFields, type InvokeResult } from './deliver.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.ts';
import { NO_CONNECTOR_METRICS, type ConnectorMetrics } from './metrics.ts';
import { parkedMessages, parkedTopicOf } from './parking.ts';
import { authHeaders, readGatewayCredentials } from '../shared/adapters/gateway.ts';

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
  /**
   * Partitions of one function processed at the same time (each partition stays in order, one
   * chunk in flight per partition). Default: max(4, the function's replicas).
   */
  partitionsConcurrency?: number;
  /** Replicas of each function behind the gateway (default: its com.openfaas.scale.min). */
  replicas?: Record<string, number>;
  backoff?: BackoffPolicy;
  /** Park a chunk after this many identical permanent answers in a row (default config.kafkaParkAfter). */
  parkAfter?: number;
  /** Between restarts of a crashed consumer (default 1 s doubling to 30 s). */
  restartBackoff?: BackoffPolicy;
  /** kafkajs retries of the consumer before it crashes (default 5, kafkajs's own). Tests lower it. */
  consumerRetries?: number;
  /** Delivery metrics hooks (default: none, NO_CONNECTOR_METRICS). */
  metrics?: ConnectorMetrics;
}

export interface FunctionDeliveryStats {
  invocations: number;
  messages: number;
  retries: number;
  /** Messages written to the parking topic. */
  parked: number;
  /** Consumers replaced after a crash. */
  restarts: number;
  lastOffsets: Record<string, string>;
}

export interface KafkaConnector {
  stats(): Record<string, FunctionDeliveryStats>;
  stop(): Promise<void>;
}

const is2xxStatus = (s: number): boolean => s >= 200 && s < 300;

/** Default partitions in flight per function when it runs one replica (as before replicas existed). */
export const DEFAULT_PARTITIONS_CONCURRENCY = 4;

/**
 * How many partitions of a function are delivered at the same time: the explicit setting, else
 * enough for every replica to have a call (never fewer than the single-replica default). Each
 * partition still has one chunk in flight, so at most min(this, assigned partitions) calls run.
 */
export function partitionsInFlight(replicas: number, explicit?: number): number {
  return explicit ?? Math.max(DEFAULT_PARTITIONS_CONCURRENCY, replicas);
}

/** POST one invocation; never throws (a connection error is status 0). */
export async function post(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<InvokeResult> {
  try {
    const r = await fetch(url, { method: 'POST', body: body as Buffer<ArrayBuffer>, headers, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    const text = await r.text();
    return { status: r.status, excerpt: text.slice(0, 300), ...(is2xxStatus(r.status) ? {} : errorFields(text)) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { status: 0, excerpt: `${e.message}${e.cause ? `: ${e.cause.code ?? e.cause.message ?? ''}` : ''}` };
  }
}

/** The body and headers of one invocation of `f` with `part` (consecutive records of one partition). */
export function encodeChunk(f: FunctionDef, topic: string, partition: number, part: readonly KafkaRecord[], connector: string): { body: Buffer; headers: Record<string, string> } {
  const first = part[0]!;
  const last = part[part.length - 1]!;
  if (f.delivery === 'single') {
    const { body, headers } = encodeSingle(topic, partition, first);
    return { body, headers: { ...headers, 'x-connector': connector } };
  }
  return {
    body: encodeBatch(topic, partition, part),
    headers: {
      'content-type': KAFKA_BATCH_CONTENT_TYPE,
      'x-topic': topic,
      'x-kafka-partition': String(partition),
      'x-kafka-first-offset': first.offset,
      'x-kafka-last-offset': last.offset,
      'x-connector': connector,
    },
  };
}

export async function startKafkaConnector(opts: KafkaConnectorOptions): Promise<KafkaConnector> {
  const { log } = opts;
  const fns = opts.functions.filter((f) => f.topics.length > 0);
  const kafka = createKafka(opts.config, 'orderpulse-kafka-connector', log.child({ component: 'kafkajs' }));
  const abort = new AbortController();
  const stats: Record<string, FunctionDeliveryStats> = {};
  /** The current consumer of each function (replaced after a crash). */
  const consumers = new Map<string, Consumer>();

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

  const metrics = opts.metrics ?? NO_CONNECTOR_METRICS;
  const parkAfter = opts.parkAfter ?? opts.config.kafkaParkAfter;
  let sink: Promise<KafkaSink> | undefined;
  const parkedTopics = new Map<string, Promise<void>>();

  /** Write a refused chunk to `<topic>.parked` (created on first use, 1 partition). */
  async function park(records: KafkaRecord[], info: Parameters<typeof parkedMessages>[1]): Promise<void> {
    const target = parkedTopicOf(info.topic);
    let ready = parkedTopics.get(target);
    if (!ready) {
      ready = (async () => {
        const a = kafka.admin();
        try {
          await a.connect();
          await ensureTopics(a, [{ topic: target, partitions: 1 }]);
        } finally {
          await a.disconnect().catch(() => undefined);
        }
      })();
      parkedTopics.set(target, ready);
      ready.catch(() => parkedTopics.delete(target));
    }
    await ready;
    sink ??= createSink(kafka);
    sink.catch(() => (sink = undefined));
    const s = await sink;
    await s.producer.send({ topic: target, acks: -1, messages: parkedMessages(records, info) });
  }

  async function runFunction(f: FunctionDef): Promise<void> {
    const flog = log.child({ component: 'kafka-connector', fn: f.name });
    const maxMessages = f.batchMaxMessages ?? opts.maxMessages ?? DEFAULT_MAX_MESSAGES;
    const maxBytes = f.batchMaxBytes ?? opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const url = `${opts.gatewayUrl}/function/${encodeURIComponent(f.name)}`;
    const auth = authHeaders(readGatewayCredentials(opts.config));
    const st: FunctionDeliveryStats = (stats[f.name] = { invocations: 0, messages: 0, retries: 0, parked: 0, restarts: 0, lastOffsets: {} });
    const groupId = `${opts.groupPrefix ?? 'orderpulse-'}${f.name}`;
    const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
    const restartBackoff = opts.restartBackoff ?? { initialMs: 1_000, maxMs: 30_000 };
    const replicas = opts.replicas?.[f.name] ?? f.scale.min;
    const concurrency = partitionsInFlight(replicas, opts.partitionsConcurrency);

    const eachBatch = async (p: EachBatchPayload): Promise<void> => {
      const { batch } = p;
      const where = { topic: batch.topic, partition: batch.partition };
      const highWatermark = BigInt(batch.highWatermark);
      const lagAfter = (offset: string): number => Number(highWatermark - BigInt(offset) - 1n);
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
      if (msgs.length > 0) metrics.lag(f.name, batch.topic, batch.partition, lagAfter(msgs[0]!.offset) + 1);
      const chunks = f.delivery === 'single' ? msgs.map((m) => [m]) : chunk(msgs, { maxItems: maxMessages, maxSize: maxBytes, sizeOf: encodedSize });
      for (const part of chunks) {
        if (!isActive()) break;
        const first = part[0]!;
        const last = part[part.length - 1]!;
        const { body, headers } = encodeChunk(f, batch.topic, batch.partition, part, 'orderpulse-kafka-connector');
        const context = { ...where, firstOffset: first.offset, lastOffset: last.offset, messages: part.length };
        const t0 = Date.now();
        const outcome = await deliverWithRetry(
          {
            invoke: () => {
              st.invocations++;
              return post(url, body, { ...headers, ...auth }, f.timeoutMs + 5000, abort.signal);
            },
            isActive,
            heartbeat,
            log: flog,
            backoff,
            signal: abort.signal,
            parkAfter,
            onRetry: (r) => metrics.retried(f.name, batch.topic, batch.partition, r.status),
          },
          context,
        );
        st.retries += outcome.attempts - 1;
        if (!outcome.delivered && outcome.reason === 'permanent') {
          // Refused for good: park it (retrying the write while we own the partition), then move on.
          const info = { fn: f.name, topic: batch.topic, partition: batch.partition, last: outcome.last, attempts: outcome.attempts, at: new Date() };
          for (let attempt = 1; ; attempt++) {
            try {
              await park(part, info);
              break;
            } catch (err) {
              if (!isActive()) return;
              flog.warn('could not write to the parking topic; retrying', { ...context, parkedTopic: parkedTopicOf(batch.topic), err });
              await sleep(backoffDelay(backoff, attempt), abort.signal);
              if (!isActive()) return;
              await heartbeat().catch(() => undefined);
            }
          }
          flog.error('batch parked: the function refused it permanently; the partition moves on (replay: npm run replay-parked)', {
            ...context,
            parkedTopic: parkedTopicOf(batch.topic),
            status: outcome.last.status,
            code: outcome.last.code,
            body: outcome.last.excerpt,
            attempts: outcome.attempts,
          });
          st.parked += part.length;
          metrics.parked(f.name, batch.topic, batch.partition, part.length);
        } else if (!outcome.delivered) {
          // Not acknowledged: the group redelivers from the last committed offset. A failed
          // heartbeat means a rebalance: rethrow so kafkajs rejoins the group.
          if (heartbeatError !== undefined) throw heartbeatError;
          return;
        } else {
          st.messages += part.length;
          metrics.delivered(f.name, batch.topic, batch.partition, part.length, outcome.attempts, Date.now() - t0);
        }
        p.resolveOffset(last.offset);
        await p.commitOffsetsIfNecessary();
        st.lastOffsets[`${batch.topic}:${batch.partition}`] = last.offset;
        metrics.lag(f.name, batch.topic, batch.partition, lagAfter(last.offset));
      }
    };

    /** A new consumer of the group, running; its crash starts a replacement (with backoff). */
    const startConsumer = async (): Promise<void> => {
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        maxBytesPerPartition: Math.max(maxBytes, 1024 * 1024),
        maxBytes: Math.max(maxBytes * 4, 10 * 1024 * 1024),
        maxWaitTimeInMs: 500,
        allowAutoTopicCreation: false,
        // We restart crashed consumers ourselves (restart below), never kafkajs.
        retry: { retries: opts.consumerRetries ?? 5, restartOnFailure: async () => false },
      });
      consumers.set(f.name, consumer);
      consumer.on(consumer.events.GROUP_JOIN, () => (restartAttempt = 0));
      consumer.on(consumer.events.CRASH, (e) => {
        if (abort.signal.aborted || consumers.get(f.name) !== consumer) return;
        flog.error('consumer crashed; replacing it with backoff', { err: e.payload.error, group: groupId });
        if (restarting) crashedWhileRestarting = consumer;
        else void restart(consumer);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: f.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        // Commit as soon as one offset is resolved, i.e. after every acknowledged chunk.
        autoCommitThreshold: 1,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch,
      });
      // stop() ran while this (replacement) consumer was starting: it did not see it.
      if (abort.signal.aborted) await consumer.disconnect().catch(() => undefined);
    };

    let restartAttempt = 0;
    let restarting = false;
    let crashedWhileRestarting: Consumer | undefined;
    const restart = async (dead: Consumer): Promise<void> => {
      if (restarting) return;
      restarting = true;
      try {
        await dead.disconnect().catch(() => undefined);
        while (!abort.signal.aborted) {
          const attempt = ++restartAttempt;
          const delay = backoffDelay(restartBackoff, attempt);
          flog.warn('restarting the consumer', { attempt, inMs: delay });
          await sleep(delay, abort.signal);
          if (abort.signal.aborted) return;
          st.restarts++;
          for (const t of f.topics) metrics.consumerRestarted(f.name, t);
          try {
            await startConsumer();
            flog.info('consumer restarted', { attempt, group: groupId });
            return;
          } catch (err) {
            flog.warn('consumer restart failed; trying again', { attempt, err });
            await consumers.get(f.name)?.disconnect().catch(() => undefined);
          }
        }
      } finally {
        restarting = false;
        // The replacement crashed before the loop above ended: replace it too.
        const again = crashedWhileRestarting;
        crashedWhileRestarting = undefined;
        if (again && consumers.get(f.name) === again && !abort.signal.aborted) void restart(again);
      }
    };

    await startConsumer();
    flog.info('consuming', { topics: f.topics, group: groupId, delivery: f.delivery, maxMessages, maxBytes, parkAfter, replicas, partitionsInFlight: concurrency });
  }

  try {
    for (const f of fns) await runFunction(f);
  } catch (cause) {
    abort.abort();
    await Promise.allSettled([...consumers.values()].map((c) => c.disconnect()));
    throw new DependencyError('kafka', 'connector could not start its consumers; is the broker up? (npm run stack -- status)', { cause });
  }

  return {
    stats: () => stats,
    async stop() {
      abort.abort();
      await Promise.allSettled([...consumers.values()].map((c) => c.disconnect()));
      if (sink) await (await sink.catch(() => undefined))?.close().catch(() => undefined);
    },
  };
}
