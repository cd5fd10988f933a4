import { describe, expect, it } from 'vitest';
import { ValidationError } from '../platform/errors.ts';
import { KAFKA_BATCH_CONTENT_TYPE, type FnEvent } from '../platform/fn.ts';
import { batchFromEvent } from './envelope.ts';

const ev = (headers: Record<string, string>, rawBody: Buffer, body: unknown = rawBody): FnEvent => ({ body, rawBody, headers, method: 'POST', query: {}, path: '/' });

describe('batchFromEvent', () => {
  const batch = { topic: 'orders', partition: 2, messages: [{ offset: '5', key: 'o1', value: '{}', timestamp: '1' }] };

  it('takes a parsed KafkaBatch as is, or parses the raw body', () => {
    const raw = Buffer.from(JSON.stringify(batch));
    expect(batchFromEvent(ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, raw, batch))).toEqual(batch);
    expect(batchFromEvent(ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, raw))).toEqual(batch);
  });

  it('turns one OpenFaaS-style message into a batch of one, bytes preserved', () => {
    const b = batchFromEvent(ev({ 'x-topic': 'orders', 'x-kafka-partition': '3', 'x-kafka-offset': '42', 'x-kafka-key': 'o9', 'content-type': 'text/plain' }, Buffer.from('{"a":1}')));
    expect(b).toEqual({ topic: 'orders', partition: 3, messages: [{ offset: '42', key: 'o9', timestamp: '', value: '{"a":1}' }] });
    const bin = batchFromEvent(ev({ 'x-topic': 'orders', 'x-kafka-key': '' }, Buffer.from([0xff, 0x00])));
    expect(bin.messages[0]).toMatchObject({ key: null, value_b64: Buffer.from([0xff, 0x00]).toString('base64') });
  });

  it('refuses bodies that are neither (HTTP 400, not retriable)', () => {
    const bad = [
      ev({ 'content-type': 'application/json' }, Buffer.from('{}'), {}),
      ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.from('{"topic":1}'), { topic: 1 }),
      ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.from('nope')),
      ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: 5, key: null }] }),
      ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '5', key: null, value: 7 }] }),
      ev({ 'x-topic': 'orders', 'x-kafka-partition': '-1' }, Buffer.from('{}')),
    ];
    for (const e of bad) expect(() => batchFromEvent(e)).toThrow(ValidationError);
  });
});
