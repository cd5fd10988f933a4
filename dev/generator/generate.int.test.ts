/**
 * Integration: the generator CLI and the in-process pump against the real local Kafka broker.
 * Needs the stack (npm run stack -- up). Uses its own topics and deletes them afterwards.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ROOT } from '../../shared/platform/config.ts';
import { createKafka, ensureTopics } from '../../shared/adapters/kafka.ts';
import { createThreadedKafkaSender } from './kafka-threaded-sender.ts';
import { partitionForKey } from '../../shared/adapters/kafka-partition.ts';
import { pump } from './pump.ts';
import { createMessageStream } from './stream.ts';
import { contractViolations } from './testing/contract-check.ts';

const run = promisify(execFile);
const config = loadConfig();
const suffix = randomBytes(4).toString('hex');
const TOPIC_CLI = `gen-int-cli-${suffix}`;
const TOPIC_API = `gen-int-api-${suffix}`;
const N = 2000;
const SEED = 7;
const START = '2024-06-01T12:00:00.000Z';

interface Got {
  key: string;
  value: string;
  partition: number;
}

const groups: string[] = [];

async function consumeAll(kafka: Kafka, topic: string, expected: number, timeoutMs = 60_000): Promise<Got[]> {
  const groupId = `gen-int-${suffix}-${groups.length}`;
  groups.push(groupId);
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
  const got: Got[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${got.length}/${expected} messages from ${topic}`)), timeoutMs);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) got.push({ key: m.key?.toString('utf8') ?? '', value: m.value?.toString('utf8') ?? '', partition: batch.partition });
            if (got.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    // Anything beyond `expected` would be a bug: give stragglers a moment to show up.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('generator -> Kafka (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let fromCli: Got[] = [];

  beforeAll(async () => {
    kafka = createKafka(config, `gen-int-${suffix}`);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [TOPIC_CLI, TOPIC_API], timeout: 10_000 }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  });

  it('the CLI (main-thread producer) writes N contract events keyed by order_id to a fresh 4-partition topic', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/generate.ts'), '--topic', TOPIC_CLI, '--count', String(N), '--seed', String(SEED), '--start', START, '--rate', '0', '--workers', '0'], { cwd: ROOT, timeout: 90_000, env: { ...process.env, LOG_LEVEL: 'warn' } });
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    const expectedStream = createMessageStream({ seed: SEED, start: START, eventRate: 100 });
    const expected = Array.from({ length: N }, () => expectedStream.next());
    expect(summary).toMatchObject({ sent: N, seed: SEED, first_order_id: expected[0]!.key, last_order_id: expected[N - 1]!.key, errors: 0, topic: TOPIC_CLI });

    const meta = await admin.fetchTopicMetadata({ topics: [TOPIC_CLI] });
    expect(meta.topics[0]!.partitions).toHaveLength(4);

    const got = await consumeAll(kafka, TOPIC_CLI, N);
    fromCli = got;
    expect(got).toHaveLength(N);
    expect(new Set(got.map((g) => g.key)).size).toBe(N);
    const byKey = new Map(expected.map((m) => [m.key, m.value as string]));
    let wrong = 0;
    for (const g of got) {
      const order = JSON.parse(g.value) as { order_id: string };
      if (order.order_id !== g.key || byKey.get(g.key) !== g.value || g.partition !== partitionForKey(g.key, 4) || contractViolations(g.value).length > 0) wrong++;
    }
    expect(wrong).toBe(0);
    expect(new Set(got.map((g) => g.partition)).size).toBe(4);
  });

  it('the pump with two producer threads writes the same bytes to the same partitions (determinism across runs)', async () => {
    await ensureTopics(admin, [{ topic: TOPIC_API, partitions: 4 }]);
    const sender = await createThreadedKafkaSender(kafka, TOPIC_API, 2);
    expect(sender.workers).toBe(2);
    try {
      const r = await pump({ source: createMessageStream({ seed: SEED, start: START, eventRate: 100 }), sender, rate: 5000, count: N });
      expect(r.sent).toBe(N);
      expect(r.errors).toBe(0);
    } finally {
      await sender.close();
    }
    const fromApi = await consumeAll(kafka, TOPIC_API, N);
    const sortByKey = (xs: Got[]): Got[] => [...xs].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    expect(fromCli).toHaveLength(N);
    expect(sortByKey(fromApi)).toEqual(sortByKey(fromCli));
    // Within a partition, messages keep the generation order (seq = last part of order_id).
    let outOfOrder = 0;
    for (let p = 0; p < 4; p++) {
      const seqs = fromApi.filter((g) => g.partition === p).map((g) => Number(g.key.split('-').pop()));
      for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) outOfOrder++;
    }
    expect(outOfOrder).toBe(0);
  });
});
