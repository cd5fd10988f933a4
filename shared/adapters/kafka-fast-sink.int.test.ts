/**
 * createFastSink (@platformatic/kafka) against the local broker: every key lands on the partition
 * kafkajs's DefaultPartitioner gives it (3 partitions: not a power of two, where an unsigned
 * modulo would differ), in send order per partition; keys, values (UTF-8 and binary) and headers
 * arrive intact; a send to a missing topic fails as a retriable DependencyError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { loadConfig } from '../platform/config.ts';
import { DependencyError } from '../platform/errors.ts';
import { createKafka, type OutMessage } from './kafka.ts';
import { createFastSink, type FastSink } from './kafka-fast-sink.ts';
import { partitionForKey } from './kafka-partition.ts';
import { createTopic, deleteTopics, readRecords, suffix } from '../../tests/corpus/kafka-io.ts';

const config = loadConfig();
const id = suffix();
const topic = `fast-sink-int-${id}`;
const kafka = createKafka(config, `fast-sink-int-${id}`);
let admin: Admin;
let sink: FastSink;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topic, 3);
  sink = await createFastSink(config, `fast-sink-int-${id}`);
}, 60_000);

afterAll(async () => {
  await sink?.close();
  await deleteTopics(admin, [topic]).catch(() => undefined);
  await admin?.disconnect();
});

describe('createFastSink', () => {
  it('places, orders and carries every message as kafkajs would', async () => {
    const messages: OutMessage[] = [];
    for (let i = 0; i < 600; i++) {
      const key = i % 50 === 0 ? `ключ-${i}` : `o-${i % 120}-${id}`;
      const value = i % 97 === 0 ? Buffer.from([0xff, 0x00, i & 0xff]) : JSON.stringify({ n: i, key });
      messages.push(i % 7 === 0 ? { key, value, headers: { reason: 'schema', source_offset: String(i) } } : { key, value });
    }
    // Two sends, as ingest chunks them.
    await sink.send(topic, messages.slice(0, 250));
    await sink.send(topic, messages.slice(250));
    const got = await readRecords(kafka, topic, { expected: messages.length, timeoutMs: 60_000 });
    expect(got).toHaveLength(messages.length);
    const byPartition = new Map<number, typeof got>();
    for (const r of got) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    for (const [p, recs] of byPartition) {
      recs.sort((a, b) => Number(a.offset) - Number(b.offset));
      const sent = messages.filter((m) => partitionForKey(m.key as string, 3) === p);
      expect(recs.map((r) => r.key)).toEqual(sent.map((m) => m.key));
      expect(recs.map((r) => r.value)).toEqual(sent.map((m) => (typeof m.value === 'string' ? Buffer.from(m.value) : m.value)));
      expect(recs.map((r) => r.headers)).toEqual(sent.map((m) => m.headers ?? {}));
    }
    expect(byPartition.size).toBe(3);
  }, 90_000);

  it('fails a send to a topic that does not exist with a retriable DependencyError', async () => {
    const err = await sink.send(`fast-sink-missing-${id}`, [{ key: 'k', value: 'v' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).retriable).toBe(true);
  }, 60_000);
});
