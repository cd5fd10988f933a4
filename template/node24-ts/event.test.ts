import { describe, expect, it } from 'vitest';
import { KAFKA_BATCH_CONTENT_TYPE } from '../../shared/delivery/wire.ts';
import { callLogFields, deliveryLogFields, MAX_CALL_ID_LENGTH } from './event.ts';

describe('callLogFields', () => {
  it('takes X-Call-Id, trimmed and capped; nothing without one', () => {
    expect(callLogFields({ 'x-call-id': ' 8c1f ' })).toEqual({ callId: '8c1f' });
    expect(callLogFields({})).toEqual({});
    expect(callLogFields({ 'x-call-id': '' })).toEqual({});
    expect((callLogFields({ 'x-call-id': 'x'.repeat(1000) }).callId as string).length).toBe(MAX_CALL_ID_LENGTH);
  });
});

describe('deliveryLogFields', () => {
  const batchHeaders = { 'content-type': KAFKA_BATCH_CONTENT_TYPE };

  it('reads topic, partition and the first/last offset of a batch body', () => {
    const body = { topic: 'orders', partition: 2, messages: [{ offset: '100' }, { offset: '101' }, { offset: '105' }] };
    expect(deliveryLogFields({ headers: batchHeaders, body })).toEqual({ topic: 'orders', partition: 2, firstOffset: '100', lastOffset: '105' });
    expect(deliveryLogFields({ headers: { 'content-type': `${KAFKA_BATCH_CONTENT_TYPE}; charset=utf-8` }, body })).toMatchObject({ firstOffset: '100' });
    expect(deliveryLogFields({ headers: batchHeaders, body: { topic: 'orders', partition: 2, messages: [] } })).toEqual({ topic: 'orders', partition: 2 });
  });

  it('reads the headers of a single message (OpenFaaS connector) and our batch headers', () => {
    expect(deliveryLogFields({ headers: { 'x-topic': 'orders', 'x-kafka-partition': '4', 'x-kafka-offset': '9' }, body: 'raw' })).toEqual({ topic: 'orders', partition: 4, firstOffset: '9', lastOffset: '9' });
    expect(deliveryLogFields({ headers: { 'x-topic': 't', 'x-kafka-partition': '0', 'x-kafka-first-offset': '3', 'x-kafka-last-offset': '8' }, body: Buffer.alloc(0) })).toEqual({ topic: 't', partition: 0, firstOffset: '3', lastOffset: '8' });
    // A batch body that is not a batch falls back to the headers.
    expect(deliveryLogFields({ headers: { ...batchHeaders, 'x-topic': 't', 'x-kafka-partition': '1' }, body: { n: 1 } })).toEqual({ topic: 't', partition: 1 });
  });

  it('is empty for calls that are not Kafka deliveries', () => {
    expect(deliveryLogFields({ headers: { 'content-type': 'application/json' }, body: { topic: 'looks like one', partition: 0, messages: [] } })).toEqual({});
    expect(deliveryLogFields({ headers: {}, body: undefined })).toEqual({});
    expect(deliveryLogFields({ headers: batchHeaders, body: null })).toEqual({});
  });
});
