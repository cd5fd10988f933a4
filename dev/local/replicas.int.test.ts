/**
 * Replicas in the local runtime against the real Kafka broker: a recorder function run as 4
 * processes behind the gateway, fed by an 8-partition topic. The gateway spreads the connector's
 * calls over the replicas (several partitions in flight at once, each in offset order); a replica
 * SIGKILLed with a call in flight is restarted alone, its call is retried (retriable 502) and
 * nothing is lost or skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { loadConfig } from '../../shared/platform/config.ts';
import { createKafka, ensureTopics } from '../../shared/adapters/kafka.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';
import { readJsonl, suffix, waitForKafka } from './testdata/helpers.ts';
import { waitFor } from '../testing/wait-for.ts';

const config = loadConfig();
const sfx = suffix();
const dir = mkdtempSync(path.join(os.tmpdir(), 'op-replicas-'));
const topic = `rt-replicas-${sfx}`;
const groupPrefix = `rt-rep-${sfx}-`;
const FN = 'rec-kill';
const PARTITIONS = 8;
const PER_PARTITION = 300;
const REPLICAS = 4;
const SLOW_MS = 100;
const kafka = createKafka(config, 'orderpulse-replicas-test');
let admin: Admin;
let producer: Producer;
let pipeline: Pipeline;

interface BatchRecord {
  pid: number;
  at: number;
  kind: string;
  partition: number;
  offsets: string[];
}
const batches = (): BatchRecord[] => readJsonl<BatchRecord>(path.join(dir, 'kill.jsonl')).filter((r) => r.kind === 'batch');

interface Described {
  replicas: number;
  availableReplicas: number;
  restarts: number;
  replicaStatus: { index: number; state: string; pid: number | null; port: number | null; inFlight: number }[];
}
const describeFn = async (): Promise<Described> => (await (await pipeline.gatewayFetch(`/system/function/${FN}`)).json()) as Described;

beforeAll(async () => {
  await waitForKafka(config);
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, partitions: PARTITIONS }]);
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  pipeline = await startPipeline({
    stackFile: path.join(import.meta.dirname, 'testdata', 'stack.yml'),
    // The test stack's other functions are not started, but their topic annotations must parse.
    env: { TEST_DIR: dir, TEST_TOPIC_KILL: topic, TEST_TOPIC_BATCH: 'unused', TEST_TOPIC_FLAKY: 'unused', TEST_TOPIC_SINGLE: 'unused' },
    functionEnv: { [FN]: { SLOW_MS: String(SLOW_MS) } },
    only: [FN],
    replicas: { [FN]: REPLICAS },
    gatewayPort: 0,
    cron: false,
    kafka: { groupPrefix, ensureStandardTopics: false, backoff: { initialMs: 100, maxMs: 400 } },
    restartBackoff: { initialMs: 50, maxMs: 500 },
    log: createLogger({ test: 'replicas' }),
  });
});

afterAll(async () => {
  await pipeline?.stop();
  await producer?.disconnect();
  if (admin) {
    await admin.deleteGroups([groupPrefix + FN]).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('replicas of one function (com.openfaas.scale.min / --replicas)', () => {
  it('runs each replica as its own process on its own port, listed by /system/functions', async () => {
    const d = await describeFn();
    expect(d.replicas).toBe(REPLICAS);
    expect(d.availableReplicas).toBe(REPLICAS);
    expect(new Set(d.replicaStatus.map((r) => r.pid)).size).toBe(REPLICAS);
    expect(new Set(d.replicaStatus.map((r) => r.port)).size).toBe(REPLICAS);
    expect(pipeline.replicaPids()[FN]).toEqual(d.replicaStatus.map((r) => r.pid));
  });

  it('spreads partitions over the replicas; a replica SIGKILLed with a call in flight loses nothing', async () => {
    const messages = [];
    for (let p = 0; p < PARTITIONS; p++) for (let i = 0; i < PER_PARTITION; i++) messages.push({ partition: p, key: `k-${p}-${i}`, value: `v-${p}-${i}` });
    await producer.send({ topic, acks: -1, messages });
    // Kill replica 1 while the gateway has a call on it.
    const victim = await waitFor(
      async () => {
        const r = (await describeFn()).replicaStatus[1]!;
        return r.inFlight > 0 && r.pid !== null && batches().length >= 8 ? r.pid : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'a call in flight on replica 1' },
    );
    process.kill(victim, 'SIGKILL');
    await waitFor(() => {
      const pid = pipeline.replicaPids()[FN]![1];
      return pid !== null && pid !== undefined && pid !== victim;
    }, { timeoutMs: 60_000, intervalMs: 50, what: 'replica 1 restarted' });
    await waitFor(
      async () => {
        const r = await admin.fetchOffsets({ groupId: groupPrefix + FN, topics: [topic] });
        return r[0]!.partitions.every((p) => p.offset === String(PER_PARTITION));
      },
      { timeoutMs: 180_000, intervalMs: 250, what: 'every partition committed to its end' },
    );

    const recs = batches();
    // Per partition: in offset order, contiguous, nothing skipped (a redelivered chunk may repeat).
    for (let p = 0; p < PARTITIONS; p++) {
      let next = 0;
      const seen = new Set<number>();
      for (const r of recs.filter((x) => x.partition === p)) {
        const offs = r.offsets.map(Number);
        offs.forEach((o, j) => j > 0 && expect(o).toBe(offs[j - 1]! + 1));
        expect(offs[0]!, `partition ${p}: a chunk at ${offs[0]} skips past ${next}`).toBeLessThanOrEqual(next);
        next = Math.max(next, offs[offs.length - 1]! + 1);
        offs.forEach((o) => seen.add(o));
      }
      expect(seen.size, `partition ${p}`).toBe(PER_PARTITION);
    }
    // Every replica took calls, and several calls ran at once (each lasts at least SLOW_MS).
    const pids = new Set(recs.map((r) => r.pid));
    expect(pids.size).toBeGreaterThanOrEqual(REPLICAS + 1); // the 4 first processes and the restarted one
    const starts = recs.map((r) => r.at).sort((a, b) => a - b);
    let maxOverlap = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[j]! <= starts[i]! - SLOW_MS) j++;
      maxOverlap = Math.max(maxOverlap, i - j + 1);
    }
    expect(maxOverlap).toBeGreaterThanOrEqual(REPLICAS);
    // The call in flight on the killed replica was answered with a retriable 5xx and retried;
    // nothing else failed (no call went to the dead replica after its exit was seen).
    const stats = pipeline.kafka!.stats()[FN]!;
    expect(stats.retries).toBeGreaterThanOrEqual(1);
    expect(stats.retries).toBeLessThanOrEqual(REPLICAS);
    expect(stats.parked).toBe(0);
    const d = await describeFn();
    expect(d.availableReplicas).toBe(REPLICAS);
    expect(d.restarts).toBe(1);
  }, 240_000);
});
