/**
 * Kafka client benchmark (issue 9, item 1): consume throughput of kafkajs (with our codecs,
 * shared/adapters/kafka-codecs.ts) and of @platformatic/kafka, on the local broker, for the same
 * topic: M generator events (~700 bytes) produced by @platformatic/kafka with each codec
 * (none, gzip, snappy, lz4, zstd), 4 partitions, 1000 messages per produce request.
 * Each client consumes the topic from the beginning in its own consumer group, in this process,
 * one after the other; messages/s counts from the moment the group is joined to the M-th message
 * (fetching and decoding included), CPU µs/message is this process's user+system time over the
 * same span.
 *
 *   npx tsx bench/kafka-client.ts [--messages N] [--codecs none,gzip,...] [--help]
 *   npm run bench -- --only kafka-client
 * Needs the broker: `npm run stack -- up`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Admin, Consumer, Producer, MessagesStreamModes, type CompressionAlgorithmValue } from '@platformatic/kafka';
import type { EachBatchPayload } from 'kafkajs';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { suffix, withTimeout } from '../tests/corpus/kafka-io.ts';

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export interface ConsumeFigures {
  messages: number;
  seconds: number;
  messages_per_s: number;
  cpu_us_per_message: number;
}

export interface KafkaClientBenchResult {
  messages: number;
  avg_bytes: number;
  partitions: number;
  runs: { codec: Codec; topic_bytes_on_wire?: number; kafkajs: ConsumeFigures; platformatic: ConsumeFigures }[];
}

const PARTITIONS = 4;

function figures(n: number, t0: bigint, cpu0: NodeJS.CpuUsage): ConsumeFigures {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { messages: n, seconds: Math.round(seconds * 1000) / 1000, messages_per_s: Math.round(n / seconds), cpu_us_per_message: Math.round(((cpu.user + cpu.system) / n) * 10) / 10 };
}

async function produce(brokers: string[], topic: string, values: Buffer[], codec: Codec): Promise<void> {
  const producer = new Producer({ clientId: 'bench-kafka-client', bootstrapBrokers: brokers, acks: -1 });
  try {
    for (let i = 0; i < values.length; i += 1000) {
      const slice = values.slice(i, i + 1000);
      await producer.send({
        messages: slice.map((value, j) => ({ topic, partition: (i + j) % PARTITIONS, value })),
        ...(codec === 'none' ? {} : { compression: codec as CompressionAlgorithmValue }),
      });
    }
  } finally {
    await producer.close();
  }
}

async function consumeKafkajs(config: Config, topic: string, expected: number): Promise<ConsumeFigures> {
  const kafka = createKafka(config, 'bench-kafkajs');
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${suffix()}`, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024, maxWaitTimeInMs: 500 });
  let n = 0;
  let t0 = 0n;
  let cpu0 = process.cpuUsage();
  let done!: (f: ConsumeFigures) => void;
  const finished = new Promise<ConsumeFigures>((r) => (done = r));
  // The clock starts when the group is joined (both clients pay the same join, not measured).
  consumer.on(consumer.events.GROUP_JOIN, () => {
    t0 = process.hrtime.bigint();
    cpu0 = process.cpuUsage();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      n += batch.messages.length;
      if (n >= expected) done(figures(n, t0, cpu0));
    },
  });
  try {
    return await withTimeout(finished, 300_000, `kafkajs consuming ${topic}`);
  } finally {
    await consumer.disconnect();
  }
}

async function consumePlatformatic(brokers: string[], topic: string, expected: number): Promise<ConsumeFigures> {
  const consumer = new Consumer({ clientId: 'bench-platformatic', groupId: `bench-platformatic-${suffix()}`, bootstrapBrokers: brokers, maxBytes: 16 * 1024 * 1024, maxWaitTime: 500 });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
    // consume() resolves once the group is joined: the clock starts there.
    let n = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const run = (async (): Promise<ConsumeFigures> => {
      for await (const _m of stream) {
        if (++n >= expected) return figures(n, t0, cpu0);
      }
      throw new Error(`stream ended after ${n} messages`);
    })();
    const f = await withTimeout(run, 300_000, `@platformatic/kafka consuming ${topic}`);
    await stream.close();
    return f;
  } finally {
    await consumer.close(true);
  }
}

export async function runKafkaClientBench(opts: { messages?: number; codecs?: readonly Codec[]; config?: Config } = {}): Promise<KafkaClientBenchResult> {
  const config = opts.config ?? loadConfig();
  const brokers = config.kafkaBrokers;
  const m = opts.messages ?? 200_000;
  const g = createGenerator({ seed: 9, start: '2024-05-01T00:00:00Z', eventRate: 500 });
  const values = Array.from({ length: m }, () => encodeEventBuffer(g.next()));
  const avg = Math.round(values.reduce((s, v) => s + v.length, 0) / m);
  const admin = new Admin({ clientId: 'bench-kafka-client', bootstrapBrokers: brokers });
  const result: KafkaClientBenchResult = { messages: m, avg_bytes: avg, partitions: PARTITIONS, runs: [] };
  try {
    for (const codec of opts.codecs ?? CODECS) {
      const topic = `bench-kafka-client-${codec}-${suffix()}`;
      await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
      try {
        await produce(brokers, topic, values, codec);
        const kafkajs = await consumeKafkajs(config, topic, m);
        const platformatic = await consumePlatformatic(brokers, topic, m);
        result.runs.push({ codec, kafkajs, platformatic });
        process.stderr.write(`${codec}: kafkajs ${kafkajs.messages_per_s} msg/s ${kafkajs.cpu_us_per_message} µs/msg; @platformatic/kafka ${platformatic.messages_per_s} msg/s ${platformatic.cpu_us_per_message} µs/msg\n`);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    }
  } finally {
    await admin.close();
  }
  return result;
}

const USAGE = `Usage: npx tsx bench/kafka-client.ts [--messages N] [--codecs ${CODECS.join(',')}]`;
const cli = commandLine({
  usage: USAGE,
  options: {
    messages: { type: 'number', min: 1, integer: true },
    codecs: { type: 'list', value: `a comma-separated list of ${CODECS.join(', ')}`, allowed: CODECS },
    help: { type: 'boolean', short: 'h' },
  },
});

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { values } = cli.parse(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(USAGE + '\n');
  } else {
    const r = await runKafkaClientBench({ ...(values.messages ? { messages: values.messages } : {}), ...(values.codecs ? { codecs: values.codecs } : {}) });
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  }
  process.exit(0);
}
