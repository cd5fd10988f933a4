/**
 * The Kafka connector against real brokers, with a small test function behind a local HTTP
 * server standing in for the gateway (`POST /function/<name>`, KafkaBatch bodies, errors as
 * defineFunction answers them: errors.ts httpErrorOf):
 *   - every codec: batches produced by another client (@platformatic/kafka) uncompressed and with
 *     gzip, snappy, lz4 and zstd all reach the function;
 *   - parking: a batch the function refuses permanently goes to `<topic>.parked` with its headers,
 *     later batches flow, and after the fix `replayParked` lands it exactly once (twice run);
 *   - restart: on a broker of its own (other ports, own data dir, started with dev/stack/kafka.ts),
 *     stopped longer than the consumer's retries, then started again: delivery resumes by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Producer as PlatformaticProducer, type CompressionAlgorithmValue } from '@platformatic/kafka';
import type { Admin } from 'kafkajs';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { httpErrorOf, ValidationError } from '../shared/platform/errors.ts';
import { createLogger } from '../shared/platform/log.ts';
import { createKafka, createSink, ensureTopics } from '../shared/adapters/kafka.ts';
import { decodeBatch } from '../shared/delivery/kafka-batch.ts';
import { recordFromKafka, type KafkaRecord } from '../shared/delivery/wire.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { kafkaService } from '../dev/stack/kafka.ts';
import type { ServiceContext } from '../dev/stack/service.ts';
import { startKafkaConnector, type KafkaConnector } from './kafka-connector.ts';
import { fromParked } from './parking.ts';
import { replayParked } from './replay-parked.ts';
import type { FunctionDef } from './stackfile.ts';
import type { ConnectorMetrics } from './metrics.ts';
import { freePort } from '../dev/testing/free-port.ts';

const config = loadConfig();
const sfx = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const log = createLogger({ component: 'kafka-connector-int' });

function fnDef(name: string, topics: string[], batchMaxMessages?: number): FunctionDef {
  return { name, lang: 'node24-ts', handler: '.', handlerDir: '.', handlerFile: './handler.ts', image: 'x', annotations: {}, environment: {}, labels: {}, topics, cron: undefined, delivery: 'batch', batchMaxMessages, batchMaxBytes: undefined, timeoutMs: 10_000, scale: { min: 1, max: 20 } };
}

/** The test "gateway": every function records the values it accepted (value -> times). */
interface TestFunctions {
  url: string;
  accepted: Map<string, number>;
  /** Refuse (400 invalid_batch, retriable false) any batch with a value containing "poison". */
  broken: boolean;
  close(): Promise<void>;
}

async function startFunctions(): Promise<TestFunctions> {
  const t: TestFunctions = { url: '', accepted: new Map(), broken: true, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const batch = decodeBatch(JSON.parse(Buffer.concat(parts).toString('utf8')));
      const values = batch.messages.map((m) => m.value?.toString('utf8') ?? '');
      if (t.broken && values.some((v) => v.includes('poison'))) {
        const { status, body } = httpErrorOf(new ValidationError('invalid_batch', 'a poison message in the batch'));
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      for (const v of values) t.accepted.set(v, (t.accepted.get(v) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: values.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  t.close = () => new Promise((r) => server.close(() => r()));
  return t;
}

function countingMetrics(): ConnectorMetrics & { counts: Record<string, number>; lags: Map<string, number> } {
  const counts: Record<string, number> = { delivered: 0, retried: 0, parked: 0, consumerRestarted: 0 };
  const lags = new Map<string, number>();
  return {
    counts,
    lags,
    delivered: (_f, _t, _p, n) => void (counts.delivered! += n),
    retried: () => void counts.retried!++,
    parked: (_f, _t, _p, n) => void (counts.parked! += n),
    consumerRestarted: () => void counts.consumerRestarted!++,
    lag: (_f, t, p, n) => void lags.set(`${t}:${p}`, n),
  };
}

let fns: TestFunctions;
let admin: Admin;
const kafka = createKafka(config, `connector-int-${sfx}`);
const created: string[] = [];
const connectors: KafkaConnector[] = [];

beforeAll(async () => {
  fns = await startFunctions();
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.allSettled(connectors.map((c) => c.stop()));
  await fns?.close();
  const existing = new Set(await admin.listTopics());
  const mine = created.filter((t) => existing.has(t));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
});

const expectAll = (values: string[], times = 1): void => {
  const wrong = values.filter((v) => fns.accepted.get(v) !== times);
  expect(wrong.slice(0, 5).map((v) => `${v}: ${fns.accepted.get(v) ?? 0}`)).toEqual([]);
};

describe('every codec', () => {
  it('delivers batches produced uncompressed and with gzip, snappy, lz4 and zstd by another client', async () => {
    const topic = `connector-int-codecs-${sfx}`;
    created.push(topic);
    await ensureTopics(admin, [{ topic, partitions: 2 }]);
    const producer = new PlatformaticProducer({ clientId: 'connector-int', bootstrapBrokers: config.kafkaBrokers, acks: -1 });
    const values: string[] = [];
    try {
      for (const codec of ['none', 'snappy', 'gzip', 'lz4', 'zstd', 'gzip'] as const) {
        const batch = Array.from({ length: 60 }, (_, i) => `${codec}-${values.length + i}-${'x'.repeat(200)}`);
        values.push(...batch);
        await producer.send({ messages: batch.map((v, i) => ({ topic, partition: i % 2, value: Buffer.from(v) })), ...(codec === 'none' ? {} : { compression: codec as CompressionAlgorithmValue }) });
      }
    } finally {
      await producer.close();
    }
    const metrics = countingMetrics();
    const c = await startKafkaConnector({ config, functions: [fnDef('codecs', [topic])], gatewayUrl: fns.url, log, groupPrefix: `connector-int-${sfx}-`, metrics });
    connectors.push(c);
    await waitFor(() => values.every((v) => fns.accepted.has(v)) && metrics.counts.delivered === values.length, { timeoutMs: 60_000, what: 'every codec batch delivered (and acknowledged)' });
    expectAll(values);
    await waitFor(() => [...metrics.lags.values()].every((l) => l === 0) && metrics.lags.size === 2, { timeoutMs: 10_000, what: 'lag 0 on both partitions' });
    expect(c.stats().codecs!.restarts).toBe(0);
  }, 90_000);
});

describe('parking and replay', () => {
  it('parks a refused batch with its headers, lets later batches flow, and replays it exactly once after the fix', async () => {
    const topic = `connector-int-park-${sfx}`;
    created.push(topic, `${topic}.parked`);
    await ensureTopics(admin, [{ topic, partitions: 1 }]);
    const sink = await createSink(kafka);
    const send = (vs: string[]): Promise<void> => sink.send(topic, vs.map((v) => ({ key: null, value: v })));
    const metrics = countingMetrics();
    const fn = fnDef('parking', [topic]);
    const groupPrefix = `connector-int-${sfx}-`;
    try {
      const c = await startKafkaConnector({ config, functions: [fn], gatewayUrl: fns.url, log, groupPrefix, metrics, parkAfter: 3, backoff: { initialMs: 20, maxMs: 100 } });
      connectors.push(c);
      const before = Array.from({ length: 20 }, (_, i) => `park-before-${i}`);
      await send(before);
      await waitFor(() => before.every((v) => fns.accepted.has(v)), { timeoutMs: 30_000, what: 'the first batch' });
      const poisoned = [...Array.from({ length: 4 }, (_, i) => `park-bad-${i}`), 'park-bad-poison'];
      await send(poisoned);
      await waitFor(() => metrics.counts.parked === poisoned.length, { timeoutMs: 30_000, what: 'the refused batch parked' });
      const after = Array.from({ length: 20 }, (_, i) => `park-after-${i}`);
      await send(after);
      await waitFor(() => after.every((v) => fns.accepted.has(v)), { timeoutMs: 30_000, what: 'later batches delivered past the parked one' });
      expect(poisoned.filter((v) => fns.accepted.has(v))).toEqual([]);
      expect(c.stats().parking!.parked).toBe(5);
      expect(metrics.counts.retried).toBe(2); // 3 identical refusals: 2 retries, then parked

      // The parking topic holds the batch, with the function, the error and the offsets.
      const parked = await readAll(`${topic}.parked`, poisoned.length);
      expect(parked.map((r) => r.value?.toString())).toEqual(poisoned);
      const h = Object.fromEntries(parked[4]!.headers.map((x) => [x.key, x.value?.toString()]));
      expect(h['orderpulse.parked.function']).toBe('parking');
      expect(h['orderpulse.parked.status']).toBe('400');
      expect(h['orderpulse.parked.code']).toBe('invalid_batch');
      expect(h['orderpulse.parked.error']).toContain('poison');
      expect(h['orderpulse.parked.source.topic']).toBe(topic);
      expect(h['orderpulse.parked.source.partition']).toBe('0');
      expect(h['orderpulse.parked.source.offset']).toBe('24');
      expect(h['orderpulse.parked.source.first-offset']).toBe('20');
      expect(fromParked(parked[0]!)?.record.offset).toBe('20');

      // Still broken: the replay stops with an error and commits nothing.
      await expect(replayParked({ config, gatewayUrl: fns.url, topic, functions: [fn], log, groupPrefix, parkAfter: 2, backoff: { initialMs: 10, maxMs: 20 } })).rejects.toThrow(/refused parked records again/);
      // Fixed: the replay lands every parked record once; a second replay delivers nothing.
      fns.broken = false;
      const r1 = await replayParked({ config, gatewayUrl: fns.url, topic, functions: [fn], log, groupPrefix });
      expect(r1).toEqual([{ fn: 'parking', delivered: 5, skipped: 0 }]);
      const r2 = await replayParked({ config, gatewayUrl: fns.url, topic, functions: [fn], log, groupPrefix });
      expect(r2).toEqual([{ fn: 'parking', delivered: 0, skipped: 0 }]);
      expectAll([...before, ...poisoned, ...after]);
    } finally {
      fns.broken = true;
      await sink.close();
    }
  }, 120_000);
});

async function readAll(topic: string, n: number): Promise<KafkaRecord[]> {
  const consumer = kafka.consumer({ groupId: `connector-int-read-${sfx}-${topic}` });
  const out: KafkaRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void out.push(recordFromKafka(message)) });
    await waitFor(() => out.length >= n, { timeoutMs: 30_000, what: `${n} records of ${topic}` });
    return out;
  } finally {
    await consumer.disconnect();
  }
}

describe('consumer restart', () => {
  let ctx: ServiceContext | undefined;
  afterAll(async () => {
    if (!ctx) return;
    await kafkaService.stop(ctx).catch(() => undefined);
    fs.rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('resumes delivery by itself after its broker was away longer than the client retries', async () => {
    // A broker of our own (the shared one is never stopped): own ports and data dir, the
    // installed jars of the local stack (.local/kafka/libs) when present.
    const kafkaPort = await freePort();
    const own: Config = { ...config, kafkaPort, kafkaControllerPort: await freePort(), kafkaBrokers: [`127.0.0.1:${kafkaPort}`] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'op-kafka-restart-'));
    const libs = path.join(config.localDir, 'kafka', 'libs');
    if (fs.existsSync(path.join(libs, '.complete'))) fs.symlinkSync(fs.realpathSync(libs), path.join(dir, 'libs'));
    ctx = { config: own, log, dir };
    await kafkaService.install(ctx);
    await kafkaService.start(ctx);

    const topic = `connector-int-restart-${sfx}`;
    const ownKafka = createKafka(own, 'connector-int-restart');
    const a = ownKafka.admin();
    await a.connect();
    await ensureTopics(a, [{ topic, partitions: 2 }]);
    await a.disconnect();
    const produce = async (vs: string[]): Promise<void> => {
      const sink = await createSink(ownKafka);
      try {
        await sink.send(topic, vs.map((v) => ({ key: v, value: v })));
      } finally {
        await sink.close();
      }
    };
    const metrics = countingMetrics();
    const c = await startKafkaConnector({ config: own, functions: [fnDef('restart', [topic])], gatewayUrl: fns.url, log, groupPrefix: `connector-int-${sfx}-`, metrics, restartBackoff: { initialMs: 500, maxMs: 3_000 } });
    connectors.push(c);
    const first = Array.from({ length: 50 }, (_, i) => `restart-a-${i}`);
    await produce(first);
    await waitFor(() => first.every((v) => fns.accepted.has(v)), { timeoutMs: 30_000, what: 'delivery before the broker stops' });

    const t0 = Date.now();
    await kafkaService.stop(ctx);
    // Longer than the client's retries: the consumer crashed and our restart loop took over.
    await waitFor(() => c.stats().restart!.restarts >= 2, { timeoutMs: 120_000, intervalMs: 200, what: 'the consumer to crash and be restarted (twice) while the broker is down' });
    const downMs = Date.now() - t0;
    await kafkaService.start(ctx);
    const second = Array.from({ length: 50 }, (_, i) => `restart-b-${i}`);
    await produce(second);
    await waitFor(() => second.every((v) => fns.accepted.has(v)), { timeoutMs: 120_000, intervalMs: 200, what: 'delivery to resume after the broker is back' });
    log.info('restart test', { twoRestartsAfterMs: downMs, restarts: c.stats().restart!.restarts, resumedAfterMs: Date.now() - t0 });
    expect(metrics.counts.consumerRestarted).toBe(c.stats().restart!.restarts);
    expect([...first, ...second].filter((v) => !fns.accepted.has(v))).toEqual([]);
  }, 400_000);
});
