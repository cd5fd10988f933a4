/**
 * The local runtime end to end against the real Kafka broker: a pipeline started from
 * dev/local/testdata/stack.yml (own topics, own consumer groups, own gateway port) with recorder
 * functions that append what they receive to files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
const dir = mkdtempSync(path.join(os.tmpdir(), 'op-pipeline-'));
const topics = {
  batch: `rt-batch-${sfx}`,
  flaky: `rt-flaky-${sfx}`,
  kill: `rt-kill-${sfx}`,
  single: `rt-single-${sfx}`,
};
const groupPrefix = `rt-${sfx}-`;
const kafka = createKafka(config, 'orderpulse-runtime-test');
let admin: Admin;
let producer: Producer;
let pipeline: Pipeline;
const started = Date.now();
/** The callback receiver of the async tests (allow-listed in GATEWAY_CALLBACK_ALLOW) and what it got. */
const got: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const cb = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    got.push({ url: req.url ?? '', headers: req.headers, body });
    res.end();
  });
});
const ASYNC_MAX = 5;

interface BatchRecord {
  pid: number;
  attempt: number;
  kind: string;
  topic: string;
  partition: number;
  offsets: string[];
  values: (string | null)[];
}
const file = (name: string): string => path.join(dir, `${name}.jsonl`);
const batches = (name: string): BatchRecord[] => readJsonl<BatchRecord>(file(name)).filter((r) => r.kind === 'batch');

/** Value of message i: JSON text, except every 7th which is invalid UTF-8 (must arrive as value_b64). */
const valueOf = (p: number, i: number): Buffer => (i % 7 === 3 ? Buffer.from([0xff, 0xfe, p, i & 0xff]) : Buffer.from(JSON.stringify({ p, i, city: 'São Paulo' })));

async function produce(topic: string, partitions: number, perPartition: number): Promise<void> {
  for (let start = 0; start < perPartition; start += 500) {
    const messages = [];
    for (let p = 0; p < partitions; p++) {
      for (let i = start; i < Math.min(perPartition, start + 500); i++) messages.push({ partition: p, key: `k-${p}-${i}`, value: valueOf(p, i) });
    }
    await producer.send({ topic, acks: -1, messages });
  }
}

async function committed(group: string, topic: string): Promise<Record<number, string>> {
  const r = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return Object.fromEntries(r[0]!.partitions.map((p) => [p.partition, p.offset]));
}

/** Per partition: records in delivery order; each is contiguous and never starts past the previous end + 1. */
function checkNoGaps(records: BatchRecord[], partitions: number, perPartition: number): void {
  for (let p = 0; p < partitions; p++) {
    let next = 0;
    const seen = new Set<number>();
    for (const r of records.filter((x) => x.partition === p)) {
      const offs = r.offsets.map(Number);
      offs.forEach((o, j) => j > 0 && expect(o, `contiguous batch at ${o}`).toBe(offs[j - 1]! + 1));
      expect(offs[0]!, `partition ${p}: batch starting at ${offs[0]} skips past ${next}`).toBeLessThanOrEqual(next);
      next = Math.max(next, offs[offs.length - 1]! + 1);
      offs.forEach((o) => seen.add(o));
    }
    expect(seen.size, `partition ${p} offsets seen`).toBe(perPartition);
    expect(next).toBe(perPartition);
  }
}

beforeAll(async () => {
  await waitForKafka(config);
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic: topics.batch, partitions: 4 },
    { topic: topics.flaky, partitions: 1 },
    { topic: topics.kill, partitions: 2 },
    { topic: topics.single, partitions: 1 },
  ]);
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await new Promise<void>((r) => cb.listen(0, '127.0.0.1', () => r()));
  // Produced before the pipeline starts: the flaky function must see them as one batch.
  await producer.send({ topic: topics.flaky, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `f${i}`, value: `flaky-${i}` })) });
  pipeline = await startPipeline({
    stackFile: path.join(import.meta.dirname, 'testdata', 'stack.yml'),
    env: {
      TEST_DIR: dir,
      TEST_TOPIC_BATCH: topics.batch,
      TEST_TOPIC_FLAKY: topics.flaky,
      TEST_TOPIC_KILL: topics.kill,
      TEST_TOPIC_SINGLE: topics.single,
      GATEWAY_CALLBACK_ALLOW: `http://127.0.0.1:${(cb.address() as AddressInfo).port}/done`,
      ASYNC_QUEUE_MAX_REQUESTS: String(ASYNC_MAX),
    },
    // Slow enough that a burst of async calls fills the queue.
    functionEnv: { 'rec-http': { SLOW_MS: '300' } },
    gatewayPort: 0,
    kafka: { groupPrefix, ensureStandardTopics: false, backoff: { initialMs: 100, maxMs: 400 } },
    restartBackoff: { initialMs: 50, maxMs: 500 },
    async: { backoff: { initialMs: 100, maxMs: 400 } },
    log: createLogger({ test: 'pipeline' }),
  });
});

afterAll(async () => {
  await pipeline?.stop();
  await producer?.disconnect();
  if (admin) {
    await admin.deleteGroups(['rec-batch', 'rec-flaky', 'rec-kill', 'rec-single'].map((f) => groupPrefix + f)).catch(() => {});
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    await admin.disconnect();
  }
  cb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local pipeline (real Kafka)', () => {
  it('lists functions like OpenFaaS, skips the one without a handler file, exposes pids', async () => {
    const list = (await (await pipeline.gatewayFetch(`/system/functions`)).json()) as Record<string, unknown>[];
    const by = Object.fromEntries(list.map((f) => [f.name as string, f]));
    expect(Object.keys(by).sort()).toEqual(['not-written-yet', 'rec-batch', 'rec-cron', 'rec-flaky', 'rec-http', 'rec-kill', 'rec-single']);
    expect(by['not-written-yet']).toMatchObject({ status: 'skipped', replicas: 0, availableReplicas: 0, pid: null });
    expect(by['rec-batch']).toMatchObject({ image: 'orderpulse-test/recorder:latest', replicas: 1, availableReplicas: 1, annotations: { topic: topics.batch } });
    const pids = (await (await pipeline.gatewayFetch(`/system/function-pids`)).json()) as Record<string, number | null>;
    expect(pids).toEqual(pipeline.pids());
    expect(typeof pids['rec-batch']).toBe('number');
    expect((await pipeline.gatewayFetch(`/function/not-written-yet`)).status).toBe(404);
    expect((await pipeline.gatewayFetch(`/function/no-such-fn`)).status).toBe(404);
    expect((await pipeline.gatewayFetch(`/healthz`)).status).toBe(200);
  });

  it('sync /function proxies path, query, status, headers and the body limit', async () => {
    const r = await pipeline.gatewayFetch(`/function/rec-http/status/418?x=1`);
    expect(r.status).toBe(418);
    expect(r.headers.get('x-test')).toBe('1');
    expect(r.headers.get('x-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await r.json()).toEqual({ path: '/status/418', query: { x: '1' } });
    const big = await pipeline.gatewayFetch(`/function/rec-http`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    const ok = await pipeline.gatewayFetch(`/function/rec-http`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    expect(ok.status).toBe(200);
    expect(readJsonl(file('http')).some((x) => (x.body as { hello?: string } | undefined)?.hello === 'world')).toBe(true);
  });

  it('needs basic auth on every route but /healthz (401 without or with wrong credentials, 200 with)', async () => {
    const url = pipeline.gatewayUrl;
    const creds = pipeline.gatewayCredentials!;
    expect(creds.user).toBe('admin');
    expect(creds.password.length).toBeGreaterThanOrEqual(16);
    const wrong = `Basic ${Buffer.from(`${creds.user}:${creds.password}x`).toString('base64')}`;
    for (const [method, p] of [['GET', '/system/functions'], ['GET', '/system/function/rec-http'], ['GET', '/system/function-pids'], ['GET', '/function/rec-http/status/200'], ['POST', '/async-function/rec-http'], ['GET', '/metrics'], ['GET', '/nope']] as const) {
      const none = await fetch(url + p, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(none.status, `${method} ${p} without credentials`).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(((await none.json()) as { code: string }).code).toBe('unauthorized');
      const bad = await fetch(url + p, { method, headers: { authorization: wrong }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(bad.status, `${method} ${p} with a wrong password`).toBe(401);
      await bad.arrayBuffer();
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await pipeline.gatewayFetch('/function/rec-http/status/200')).status).toBe(200);
    expect((await pipeline.gatewayFetch('/system/functions')).status).toBe(200);
  });

  it('/system/functions lists no environment values', async () => {
    const text = await (await pipeline.gatewayFetch('/system/functions')).text();
    const list = JSON.parse(text) as Record<string, unknown>[];
    expect(list.length).toBeGreaterThan(0);
    for (const f of list) expect(f).not.toHaveProperty('envVars');
    // Values the functions do get (stack.yml environment, the pipeline's env) appear nowhere.
    expect(text).not.toContain(dir);
    expect(text).not.toContain('RECORD_FILE');
    expect(text).not.toContain(pipeline.gatewayCredentials!.password);
    const one = await (await pipeline.gatewayFetch('/system/function/rec-batch')).json();
    expect(one).not.toHaveProperty('envVars');
  });

  it('refuses an X-Callback-Url outside the allow-list with 400; allows its own /function/*', async () => {
    const before = readJsonl(file('http')).length;
    for (const bad of ['http://127.0.0.1:1/steal', 'http://169.254.169.254/latest/meta-data', `http://127.0.0.1:${(cb.address() as AddressInfo).port}/other`, 'file:///etc/passwd', 'not a url']) {
      const r = await pipeline.gatewayFetch('/async-function/rec-http', { method: 'POST', headers: { 'content-type': 'application/json', 'x-callback-url': bad }, body: '{"refused":true}' });
      expect(r.status, bad).toBe(400);
      const b = (await r.json()) as { code: string; error: string };
      expect(b.code).toBe('callback_not_allowed');
      expect(b.error).toContain(bad.startsWith('http') ? 'GATEWAY_CALLBACK_ALLOW' : 'X-Callback-Url');
    }
    // Its own function: allowed, and the callback carries the gateway's credentials (else it would be 401).
    const r = await pipeline.gatewayFetch('/async-function/rec-http', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-callback-url': `${pipeline.gatewayUrl}/function/rec-http` },
      body: '{"own":true}',
    });
    expect(r.status).toBe(202);
    const callId = r.headers.get('x-call-id');
    // The call itself, then the callback: a second invocation of rec-http with the result as its body.
    await waitFor(() => readJsonl<{ callId: string; body: unknown }>(file('http')).filter((x) => x.callId === callId).length >= 2 || undefined, { timeoutMs: 30_000, intervalMs: 100, what: 'the call and its callback' });
    const recs = readJsonl<{ callId: string; body: unknown }>(file('http')).slice(before).filter((x) => x.callId === callId);
    expect(recs.map((x) => x.body)).toEqual([{ own: true }, { ok: true, attempt: expect.any(Number) }]);
    expect(readJsonl<{ body: unknown }>(file('http')).some((x) => (x.body as { refused?: boolean } | null)?.refused)).toBe(false);
    // The gateway's credentials stop at the gateway: no function call (sync, async, callback) carried them.
    const calls = readJsonl<{ kind: string; authorization?: string | null }>(file('http')).filter((x) => x.kind === 'http');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((x) => x.authorization !== null)).toEqual([]);
  });

  it(`a full async queue answers 429 with Retry-After, and every accepted call completes (max ${ASYNC_MAX})`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 * ASYNC_MAX }, (_, i) =>
        pipeline.gatewayFetch('/async-function/rec-http', { method: 'POST', headers: { 'content-type': 'application/json', 'x-call-id': `burst-${sfx}-${i}` }, body: JSON.stringify({ burst: i }) }),
      ),
    );
    const accepted = answers.filter((r) => r.status === 202).map((r) => r.headers.get('x-call-id')!);
    const refused = answers.filter((r) => r.status === 429);
    expect(accepted.length + refused.length).toBe(answers.length);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(ASYNC_MAX);
    expect(refused.length).toBeGreaterThanOrEqual(3 * ASYNC_MAX);
    expect(refused[0]!.headers.get('retry-after')).toBe('5');
    expect(((await refused[0]!.json()) as { code: string }).code).toBe('queue_full');
    const done = await waitFor(
      () => {
        const ids = new Set(readJsonl<{ callId: string }>(file('http')).map((x) => x.callId));
        return accepted.every((id) => ids.has(id)) && pipeline.gateway!.queue.held().calls === 0 ? ids : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'every accepted async call run' },
    );
    expect(accepted.every((id) => done.has(id))).toBe(true);
    expect(pipeline.gateway!.queue.failed).toBe(0);
    // Room again: the next call is taken.
    const again = await pipeline.gatewayFetch('/async-function/rec-http', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(again.status).toBe(202);
  });

  it('async /async-function answers 202 with X-Call-Id, runs later, posts the result to X-Callback-Url', async () => {
    {
      const r = await pipeline.gatewayFetch(`/async-function/rec-http`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-callback-url': `http://127.0.0.1:${(cb.address() as AddressInfo).port}/done` },
        body: '{"async":true}',
      });
      expect(r.status).toBe(202);
      const callId = r.headers.get('x-call-id');
      expect(callId).toBeTruthy();
      const c = await waitFor(() => got[0], { timeoutMs: 30_000, intervalMs: 100, what: 'the callback' });
      expect(c.headers['x-call-id']).toBe(callId);
      expect(c.headers['x-function-status']).toBe('200');
      expect(JSON.parse(c.body)).toMatchObject({ ok: true });
      expect(c.url).toBe('/done');
      expect(c.headers.authorization).toBeUndefined(); // never the gateway's credentials to another address
      expect(readJsonl(file('http')).some((x) => x.callId === callId && (x.body as { async?: boolean }).async === true)).toBe(true);
    }
  });

  it('batched delivery: every message, in order per partition, in chunks of at most 50, offsets committed', async () => {
    await produce(topics.batch, 4, 500);
    await waitFor(() => batches('batch').reduce((n, r) => n + r.offsets.length, 0) >= 2000, { timeoutMs: 90_000, intervalMs: 100, what: '2000 delivered messages' });
    const recs = batches('batch');
    expect(recs.every((r) => r.offsets.length <= 50)).toBe(true);
    for (let p = 0; p < 4; p++) {
      // No failures happened: exactly once, in order.
      expect(recs.filter((r) => r.partition === p).flatMap((r) => r.offsets)).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
      for (const r of recs.filter((x) => x.partition === p)) {
        r.offsets.forEach((o, j) => expect(Buffer.from(r.values[j]!, 'base64').equals(valueOf(p, Number(o)))).toBe(true));
      }
    }
    await waitFor(async () => Object.values(await committed(groupPrefix + 'rec-batch', topics.batch)).every((o) => o === '500'), { timeoutMs: 30_000, intervalMs: 100, what: 'committed offsets at the end' });
  });

  it('a failing function gets the same batch again and its offsets are committed only after a 2xx', async () => {
    const group = groupPrefix + 'rec-flaky';
    // Sound check: an offset committed while at most FAIL_FIRST_N (4) attempts were made would be a bug.
    const committedEarly: string[] = [];
    await waitFor(
      async () => {
        const off = (await committed(group, topics.flaky))[0];
        const attempts = readJsonl<BatchRecord>(file('flaky')).length;
        if (attempts <= 4 && off !== '-1') committedEarly.push(`${off ?? 'none'} after ${attempts} attempts`);
        return attempts > 4;
      },
      { timeoutMs: 60_000, intervalMs: 25, what: 'a fifth attempt of the flaky function' },
    );
    expect(committedEarly).toEqual([]);
    await waitFor(async () => (await committed(group, topics.flaky))[0] === '10', { timeoutMs: 30_000, intervalMs: 100, what: 'flaky offsets committed' });
    const recs = batches('flaky');
    expect(recs.length).toBeGreaterThanOrEqual(5);
    const first = recs[0]!.offsets;
    expect(first[0]).toBe('0');
    for (const r of recs.slice(0, 5)) expect(r.offsets).toEqual(first);
    expect(recs.map((r) => r.attempt).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(recs.flatMap((r) => r.offsets)).size).toBe(10);
  });

  it('SIGKILL of the function process mid-stream: restarted, nothing lost, offsets committed', async () => {
    const oldPid = pipeline.pids()['rec-kill']!;
    await produce(topics.kill, 2, 1000);
    await waitFor(() => batches('kill').reduce((n, r) => n + r.offsets.length, 0) >= 300, { timeoutMs: 60_000, intervalMs: 20, what: 'some delivered messages' });
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => {
      const pid = pipeline.pids()['rec-kill'];
      return pid !== null && pid !== undefined && pid !== oldPid;
    }, { timeoutMs: 60_000, intervalMs: 100, what: 'a restarted rec-kill' });
    await waitFor(async () => Object.values(await committed(groupPrefix + 'rec-kill', topics.kill)).every((o) => o === '1000'), { timeoutMs: 120_000, intervalMs: 250, what: 'committed offsets at the end' });
    const recs = batches('kill');
    checkNoGaps(recs, 2, 1000);
    expect(new Set(recs.map((r) => r.pid)).size).toBeGreaterThanOrEqual(2);
    expect(recs.some((r) => r.pid === oldPid)).toBe(true);
    const fn = (await (await pipeline.gatewayFetch(`/system/function/rec-kill`)).json()) as { restarts: number };
    expect(fn.restarts).toBeGreaterThanOrEqual(1);
  });

  it('single-message mode: one invocation per message with the OpenFaaS connector headers', async () => {
    await producer.send({
      topic: topics.single,
      acks: -1,
      messages: [
        { key: 'a', value: 'first' },
        { key: 'b', value: Buffer.from([0xff, 0x01]) },
        { key: null, value: '{"third":3}' },
      ],
    });
    const recs = await waitFor(() => {
      const r = readJsonl(file('single')).filter((x) => x.kind === 'single');
      return r.length >= 3 ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 100, what: '3 single deliveries' });
    expect(recs.map((r) => [r.topic, r.partition, r.offset, r.key])).toEqual([
      [topics.single, '0', '0', 'a'],
      [topics.single, '0', '1', 'b'],
      [topics.single, '0', '2', ''],
    ]);
    expect(recs[0]!.body).toBe('first');
    expect(Buffer.from(recs[1]!.body as string, 'base64').equals(Buffer.from([0xff, 0x01]))).toBe(true);
  });

  it('cron connector fires the cron function (schedule "* * * * *")', async () => {
    const waitMs = Math.max(5_000, 75_000 - (Date.now() - started));
    const rec = await waitFor(() => readJsonl(file('cron')).find((x) => x.kind === 'cron'), { timeoutMs: waitMs, intervalMs: 500, what: 'a cron run' });
    expect(rec.kind).toBe('cron');
    // The recorder writes its line before it answers: wait for the connector to see the answer.
    await waitFor(() => pipeline.cron?.runs().some((r) => r.fn === 'rec-cron' && r.status === 200), { timeoutMs: 10_000, intervalMs: 50, what: 'the cron run answered 200' });
  });
});
