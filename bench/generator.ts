/**
 * Generator benchmark: the pure model's rate (events/s, no Kafka), the model plus JSON encoding,
 * and optionally (--kafka) the produce rate to a throwaway topic on the local broker.
 *   npx tsx bench/generator.ts [--count N] [--kafka] [--kafka-count N] [--rate R] [--workers W] [--help]
 * Prints one JSON object on stdout. The machine's load average is included: on a shared machine
 * the rates move with it; CPU time per event does much less.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { createKafka, ensureTopics } from '../shared/adapters/kafka.ts';
import { createLogger } from '../shared/platform/log.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { createMessageStream } from '../dev/generator/stream.ts';
import { pump } from '../dev/generator/pump.ts';
import { createKafkaBatchSender } from '../dev/generator/kafka-sender.ts';
import { createThreadedKafkaSender } from '../dev/generator/kafka-threaded-sender.ts';

export interface GeneratorBenchOptions {
  count?: number;
  kafka?: boolean;
  kafkaCount?: number;
  rate?: number;
  workers?: number;
}

interface Measured {
  events: number;
  seconds: number;
  rate: number;
  cpu_us_per_event: number;
}

function measure(n: number, step: () => void): Measured {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { events: n, seconds: Math.round(seconds * 1000) / 1000, rate: Math.round(n / seconds), cpu_us_per_event: Math.round(((c.user + c.system) / n) * 100) / 100 };
}

export async function runGeneratorBench(o: GeneratorBenchOptions = {}): Promise<Record<string, unknown>> {
  const n = o.count ?? 300_000;
  const start = '2024-06-03T17:00:00Z';
  // Warm up the JIT and the customer cache, then measure.
  const warm = createMessageStream({ seed: 99, start });
  for (let i = 0; i < 50_000; i++) warm.next();
  const g = createGenerator({ seed: 1, start });
  const model = measure(n, () => g.next());
  const s = createMessageStream({ seed: 2, start });
  let bytes = 0;
  const encoded = measure(n, () => {
    const m = s.next();
    bytes += (m.value as string).length;
  });
  const out: Record<string, unknown> = { load_average_1m: Math.round(os.loadavg()[0]! * 100) / 100, cpus: os.cpus().length, model, model_and_encode: { ...encoded, avg_event_bytes: Math.round(bytes / n) } };

  if (o.kafka) {
    const log = createLogger({ component: 'bench-generator' });
    const config = loadConfig();
    const kafka = createKafka(config, 'bench-generator', log);
    const admin = kafka.admin();
    const topic = `bench-gen-${randomBytes(4).toString('hex')}`;
    await admin.connect();
    try {
      await ensureTopics(admin, [{ topic, partitions: 4 }]);
      const workers = o.workers ?? 1;
      const sender = workers > 0 ? await createThreadedKafkaSender(kafka, topic, workers) : await createKafkaBatchSender(kafka, topic);
      const kn = o.kafkaCount ?? 200_000;
      const rate = o.rate ?? 0;
      const c0 = process.cpuUsage();
      try {
        const r = await pump({ source: createMessageStream({ seed: 1, start, eventRate: rate > 0 ? rate : 100 }), sender, rate, count: kn });
        const c = process.cpuUsage(c0);
        out.kafka = { topic_partitions: 4, workers, target_rate: rate, events: r.sent, seconds: Math.round(r.seconds * 1000) / 1000, rate: Math.round(r.rate), errors: r.errors, cpu_us_per_event: Math.round(((c.user + c.system) / r.sent) * 10) / 10 };
      } finally {
        await sender.close();
      }
    } finally {
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
      await admin.disconnect();
    }
  }
  return out;
}

const USAGE = `Usage: npx tsx bench/generator.ts [options]

The generator model's rate, model plus JSON encoding, and optionally the Kafka produce rate;
prints one JSON object.

  --count N         events for the model and encoding measurements (default 300000)
  --kafka           also produce to a throwaway topic on the local broker
  --kafka-count N   messages produced with --kafka (default 200000)
  --rate R          produce rate limit with --kafka, messages/s; 0 = unlimited (default 0)
  --workers W       Kafka producer threads with --kafka (default 1; 0 = main thread)
  -h, --help        this text`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = commandLine({
    usage: USAGE,
    options: {
      count: { type: 'number', min: 1, integer: true },
      kafka: { type: 'boolean' },
      'kafka-count': { type: 'number', min: 1, integer: true },
      rate: { type: 'number', min: 0 },
      workers: { type: 'number', min: 0, max: 16, integer: true },
      help: { type: 'boolean', short: 'h' },
    },
  }).parseOrExit(process.argv.slice(2));
  runGeneratorBench({ count: v.count, kafka: v.kafka ?? false, kafkaCount: v['kafka-count'], rate: v.rate, workers: v.workers }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)} (is the stack up? npm run stack -- status)\n`);
      process.exit(1);
    },
  );
}
