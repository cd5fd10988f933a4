/**
 * Producer CPU per message (issue 10 item 2): what ingest pays to hand accepted events on to
 * `orders.accepted`, through kafkajs (createSink, shared/adapters/kafka.ts) and through
 * @platformatic/kafka (createFastSink, shared/adapters/kafka-fast-sink.ts), the two alternating
 * in one process on the local broker. Messages are the canonical JSON of generator events keyed
 * by order_id (as ingest sends them), chunked as ingest chunks them, 4 partitions, acks=all,
 * idempotent, no compression. CPU = this process's user+system time over the sends.
 *
 *   npx tsx bench/kafka-produce.ts [--messages N] [--batch N] [--rounds N]
 * Needs the broker: `npm run stack -- up`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { createKafka, createSink, ensureTopics, type MessageSink, type OutMessage } from '../shared/adapters/kafka.ts';
import { createFastSink } from '../shared/adapters/kafka-fast-sink.ts';
import { canonicalJson } from '../shared/contract/canonical.ts';
import { chunkMessages } from '../shared/ingest/messages.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { suffix } from '../tests/corpus/kafka-io.ts';

export interface ProduceFigures {
  client: 'kafkajs' | 'platformatic';
  round: number;
  messages_per_s: number;
  cpu_us_per_message: number;
}

async function timeSends(sink: MessageSink, topic: string, msgs: OutMessage[], batch: number): Promise<{ seconds: number; cpuUs: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < msgs.length; i += batch) {
    for (const chunk of chunkMessages(msgs.slice(i, i + batch))) await sink.send(topic, chunk);
  }
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuUs: c.user + c.system };
}

export async function runProduceBench(opts: { messages: number; batch: number; rounds: number }): Promise<ProduceFigures[]> {
  const config = loadConfig();
  const kafka = createKafka(config, 'bench-kafka-produce');
  const topic = `bench-produce-${suffix()}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, partitions: 4 }]);
  const g = createGenerator({ seed: 7, start: '2026-01-01T00:00:00Z' });
  const msgs: OutMessage[] = [];
  for (let i = 0; i < opts.messages; i++) {
    const e = g.next();
    msgs.push({ key: e.order_id, value: canonicalJson(e) });
  }
  const js = await createSink(kafka);
  const fast = await createFastSink(config, 'bench-kafka-produce-fast');
  const out: ProduceFigures[] = [];
  try {
    // One warm-up each (JIT, connections, metadata), not reported.
    await timeSends(js, topic, msgs.slice(0, 2000), opts.batch);
    await timeSends(fast, topic, msgs.slice(0, 2000), opts.batch);
    for (let r = 1; r <= opts.rounds; r++) {
      for (const [client, sink] of (r % 2 === 1 ? [['kafkajs', js], ['platformatic', fast]] : [['platformatic', fast], ['kafkajs', js]]) as [ProduceFigures['client'], MessageSink][]) {
        const f = await timeSends(sink, topic, msgs, opts.batch);
        out.push({ client, round: r, messages_per_s: Math.round(msgs.length / f.seconds), cpu_us_per_message: Math.round((f.cpuUs / msgs.length) * 100) / 100 });
      }
    }
  } finally {
    await Promise.allSettled([js.close(), fast.close()]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
  return out;
}

const USAGE = 'Usage: npx tsx bench/kafka-produce.ts [--messages N] [--batch N] [--rounds N]';
const cli = commandLine({
  usage: USAGE,
  options: {
    messages: { type: 'number', min: 1, integer: true },
    batch: { type: 'number', min: 1, integer: true },
    rounds: { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { values } = cli.parse(process.argv.slice(2));
  if (values.help) process.stdout.write(USAGE + '\n');
  else {
    const opts = { messages: values.messages ?? 20_000, batch: values.batch ?? 2000, rounds: values.rounds ?? 3 };
    const figures = await runProduceBench(opts);
    const median = (c: ProduceFigures['client']): number => {
      const xs = figures.filter((f) => f.client === c).map((f) => f.cpu_us_per_message).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    process.stdout.write(JSON.stringify({ ...opts, figures, median_cpu_us_per_message: { kafkajs: median('kafkajs'), platformatic: median('platformatic') } }, null, 2) + '\n');
  }
  process.exit(0);
}
