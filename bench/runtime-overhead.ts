/**
 * Cost of the local runtime itself (Kafka connector + gateway + template server) with a no-op
 * function: `npx tsx bench/runtime-overhead.ts [messages=200000] [--help]`. Produces to its own 4-partition
 * topic, runs a pipeline from testdata/noop-stack.yml, waits until every offset is committed,
 * prints rate and CPU µs per message (function process from /proc, pipeline process), cleans up.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../shared/platform/config.ts';
import { createKafka, ensureTopics } from '../shared/adapters/kafka.ts';
import { createLogger } from '../shared/platform/log.ts';
import { startPipeline } from '../dev/local/pipeline.ts';
import { commandLine, parseOrExit } from '../shared/platform/args.ts';
const USAGE = `Usage: npx tsx bench/runtime-overhead.ts [messages]

Cost of the local runtime (Kafka connector + gateway + template server) with a no-op function:
produces messages (default 200000) to its own topic and prints rate and CPU µs per message.

  -h, --help    this text`;
const cli = commandLine({ usage: USAGE, positionals: 1, options: { help: { type: 'boolean', short: 'h' } } });
const [messages = '200000'] = cli.parseOrExit(process.argv.slice(2)).positionals;
const N = parseOrExit(USAGE, () => cli.number('messages', messages, { min: 1, integer: true }), () => false);
const sfx = Date.now().toString(36);
const topic = `rtbench-${sfx}`;
const config = loadConfig();
const kafka = createKafka(config, 'rtbench');
const admin = kafka.admin(); await admin.connect();
await ensureTopics(admin, [{ topic, partitions: 4 }]);
const producer = kafka.producer(); await producer.connect();
const value = JSON.stringify({ order_id: 'o-xxxxxxxxxxxxxxxx', order_timestamp: new Date().toISOString(), quantity: 2, unit_price: 19.99, shipping_cost: 4.5, tax_amount: 3.2, total_amount: 47.68, order_status: 'completed', customer: { customer_id: 'c-123456', segment: 'regular', state: 'CA', city: 'Los Angeles' }, product: { product_id: 'p-98765', name: 'Widget deluxe', category: 'home' }, payment: { payment_id: 'pay-1234567', method: 'credit_card', status: 'success', processing_ms: 120 } });
for (let i = 0; i < N; i += 5000) await producer.send({ topic, messages: Array.from({ length: 5000 }, (_, j) => ({ key: `o-${i + j}`, value })) });
await producer.disconnect();
console.error('produced', N, 'bytes/msg', value.length);
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const p = await startPipeline({ stackFile: new URL('../dev/local/testdata/noop-stack.yml', import.meta.url).pathname, env: { BENCH_TOPIC: topic, LOG_LEVEL: 'warn' }, gatewayPort: 0, kafka: { groupPrefix: `rtb-${sfx}-`, ensureStandardTopics: false }, cron: false, log: createLogger({}, () => {}) });
const pid = p.pids().noop!;
const fn0 = cpu(pid); const me0 = process.cpuUsage();
const t0 = Date.now();
for (;;) {
  const r = await admin.fetchOffsets({ groupId: `rtb-${sfx}-noop`, topics: [topic] });
  const done = r[0]!.partitions.reduce((s, x) => s + Math.max(0, Number(x.offset)), 0);
  if (done >= N) break;
  await new Promise((r) => setTimeout(r, 100));
}
const secs = (Date.now() - t0) / 1000;
const me = process.cpuUsage(me0);
const fnCpu = cpu(pid) - fn0;
console.log(JSON.stringify({ messages: N, seconds: secs, rate: Math.round(N / secs), fn_cpu_us_per_msg: +(fnCpu * 1e6 / N).toFixed(1), pipeline_cpu_us_per_msg: +((me.user + me.system) / N).toFixed(1), invocations: p.kafka?.stats().noop?.invocations }));
await p.stop();
await admin.deleteGroups([`rtb-${sfx}-noop`]).catch(() => {});
await admin.deleteTopics({ topics: [topic] }).catch(() => {});
await admin.disconnect();
