/**
 * alert-detect through the real function (its handler, its own Kafka producer and Redis client)
 * against the local stack, no mocks: a seeded stream with a credit-card outage delivered as the
 * connector delivers it raises exactly one payment_failure alert (opened, then resolved) on the
 * alerts topic; a restart from offset 0 raises nothing new; a batch whose state commit was lost
 * (a crash between producing and committing) produces the very same changes again.
 * Own KPI_PREFIX (Redis keys) and topics per run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { Redis } from 'ioredis';
import { loadConfig } from '../shared/platform/config.ts';
import type { FnContext, FnEvent } from '../shared/platform/fn.ts';
import { KAFKA_BATCH_CONTENT_TYPE } from '../shared/delivery/wire.ts';
import { encodeBatch } from '../shared/delivery/kafka-batch.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { decodeAlertChange, type AlertChange } from '../shared/alerts/alert.ts';
import { RedisAlertState } from '../shared/alerts/adapters/redis-state.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeGeneratedEvent } from '../dev/generator/encode.ts';
import { batchRecord } from './corpus/batch.ts';
import { createTopic, deleteTopics, readRecords, suffix, topicSize } from './corpus/kafka-io.ts';

const config = loadConfig();
const run = suffix();
const kafka: Kafka = createKafka(config, `alerts-int-${run}`);
const prefix = `test:alerts-int:${run}:`;
const alertsTopic = `alerts-int-${run}`;
const source = `alerts-int-${run}-accepted`;
let admin: Admin;
let redis: Redis;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, alertsTopic, 1);
  redis = new Redis(config.redisUrl);
  process.env.KPI_PREFIX = prefix;
  process.env.TOPIC_ALERTS = alertsTopic;
});

afterAll(async () => {
  delete process.env.KPI_PREFIX;
  delete process.env.TOPIC_ALERTS;
  await new RedisAlertState(redis, prefix).clear().catch(() => undefined);
  await redis.quit();
  await deleteTopics(admin, [alertsTopic]).catch(() => undefined);
  await admin.disconnect();
});

describe('alert-detect handler on the real stack', () => {
  it('one outage -> one alert opened and resolved; a replay from offset 0 raises nothing; a lost commit re-produces identical changes', async () => {
    const mod = await import('../functions/alert-detect/handler.ts');
    try {
      // 25 minutes of event time at ~40 orders/s (evening peak); credit card fails at 60 % for minutes 12-16.
      const start = Date.parse('2026-11-02T00:00:00Z');
      const gen = createGenerator({ seed: 11, start, eventRate: 20, incidents: [{ kind: 'payment_outage', method: 'credit_card', startMs: start + 12 * 60_000, endMs: start + 16 * 60_000, failureRate: 0.6 }] });
      const values: Buffer[] = [];
      while (gen.timeMs < start + 25 * 60_000) values.push(Buffer.from(encodeGeneratedEvent(gen.next())));
      const batches: Buffer[] = [];
      for (let i = 0; i < values.length; i += 2000) batches.push(encodeBatch(source, 0, values.slice(i, i + 2000).map((v, k) => batchRecord({ key: null, bytes: v }, i + k))));
      const call = async (body: Buffer | null): Promise<{ code: number; out: Record<string, unknown> }> => {
        let code = 200;
        const ctx: FnContext = { status: (n) => ((code = n), ctx), headers: () => ctx, succeed: () => ctx, fail: () => ctx };
        const ev: FnEvent = body === null ? { body: '', rawBody: Buffer.alloc(0), headers: { 'x-connector': 'cron-connector' }, method: 'POST', query: {}, path: '/' } : { body: JSON.parse(body.toString('utf8')), rawBody: body, headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE }, method: 'POST', query: {}, path: '/' };
        const out = (await mod.default(ev, ctx)) as Record<string, unknown>;
        return { code, out };
      };

      let changes = 0;
      for (const b of batches) {
        const r = await call(b);
        expect(r.code, JSON.stringify(r.out)).toBe(200);
        changes += r.out.changes as number;
      }
      const produced = await topicSize(admin, alertsTopic);
      expect(produced).toBe(changes);
      const records = (await readRecords(kafka, alertsTopic, { expected: produced, timeoutMs: 60_000 })).map((r) => ({ key: r.key, change: decodeAlertChange(r.value) }));
      const payment = records.filter((r) => r.change.alert.kind === 'payment_failure');
      expect(payment.filter((r) => r.change.type === 'opened').map((r) => r.change.alert.subject)).toEqual([{ payment_method: 'credit_card' }]);
      const opened = payment.find((r) => r.change.type === 'opened')!.change.alert;
      const resolved = payment.find((r) => r.change.type === 'resolved')?.change.alert;
      for (const r of records) expect(r.key).toBe(r.change.alert.id);
      const onset = start + 12 * 60_000;
      expect(Date.parse(opened.detected_at) - onset).toBeGreaterThan(0);
      expect(Date.parse(opened.detected_at) - onset).toBeLessThanOrEqual(10_000);
      expect(resolved?.id).toBe(opened.id);
      expect(Date.parse(resolved!.resolved_at!)).toBeGreaterThan(start + 16 * 60_000);
      expect(records.filter((r) => r.change.alert.kind !== 'payment_failure')).toEqual([]);

      // Restart from offset 0: every message is already in the state; nothing is produced.
      for (const b of batches) {
        const r = await call(b);
        expect(r.out).toMatchObject({ applied: 0, changes: 0 });
      }
      // A cron tick on a stream that is not live (event time far from wall clock) does nothing.
      expect((await call(null)).out).toMatchObject({ ticked: false, changes: 0 });
      expect(await topicSize(admin, alertsTopic)).toBe(produced);

      // A lost commit: put back the state from before the batch that opened the alert, deliver that batch again.
      const store = new RedisAlertState(redis, prefix);
      await store.clear();
      const openedAt = Date.parse(opened.detected_at);
      let k = 0;
      const seen: AlertChange[] = [];
      for (; k < batches.length; k++) {
        const before = await store.load();
        const r = await call(batches[k]!);
        if ((r.out.opened as number) > 0) {
          // the commit "never happened": the state of before, at the version now stored
          const now = await store.load();
          expect(await store.commit(now.version, before.state!)).toBe(true);
          const again = await call(batches[k]!);
          expect(again.out).toMatchObject({ changes: r.out.changes, opened: r.out.opened });
          break;
        }
      }
      expect(k).toBeLessThan(batches.length);
      const all = (await readRecords(kafka, alertsTopic, { expected: await topicSize(admin, alertsTopic), timeoutMs: 60_000 })).map((r) => decodeAlertChange(r.value));
      seen.push(...all.slice(produced));
      // the two deliveries of that batch produced the same changes, identical by (id, type, detected_at)
      const keys = seen.map((c) => `${c.alert.id}|${c.type}|${c.alert.detected_at}`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.slice(0, keys.length / 2)).toEqual(keys.slice(keys.length / 2));
      expect(keys).toContain(`${opened.id}|opened|${opened.detected_at}`);
      expect(openedAt).toBeGreaterThan(0);
    } finally {
      await mod.shutdown();
    }
  });
});
