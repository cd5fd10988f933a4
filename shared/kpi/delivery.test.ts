import { describe, expect, it } from 'vitest';
import type { FnEvent } from '../platform/fn.ts';
import { ValidationError } from '../platform/errors.ts';
import { deliveredMessages } from './delivery.ts';

function ev(body: unknown, headers: Record<string, string> = {}, raw = ''): FnEvent {
  return { body, rawBody: Buffer.from(raw), headers, method: 'POST', query: {}, path: '/' };
}

describe('deliveredMessages', () => {
  it('reads a KafkaBatch, decoding value_b64 and keeping tombstones as null', () => {
    const batch = {
      topic: 'orders.accepted',
      partition: 2,
      messages: [
        { offset: '5', key: 'o-1', value: '{"a":1}', timestamp: '0' },
        { offset: '6', key: null, value_b64: Buffer.from('{"b":2}').toString('base64'), timestamp: '0' },
        { offset: '7', key: 'o-3', timestamp: '0' },
      ],
    };
    expect(deliveredMessages(ev(batch))).toEqual([
      { topic: 'orders.accepted', partition: 2, offset: '5', key: 'o-1', value: '{"a":1}' },
      { topic: 'orders.accepted', partition: 2, offset: '6', key: null, value: '{"b":2}' },
      { topic: 'orders.accepted', partition: 2, offset: '7', key: 'o-3', value: null },
    ]);
  });

  it('reads one message delivered the OpenFaaS-connector way', () => {
    const e = ev({ parsed: true }, { 'x-topic': 'kpi.deltas', 'x-kafka-partition': '1', 'x-kafka-offset': '9', 'x-kafka-key': 'kpi' }, '{"v":1}');
    expect(deliveredMessages(e)).toEqual([{ topic: 'kpi.deltas', partition: 1, offset: '9', key: 'kpi', value: '{"v":1}' }]);
  });

  it('rejects anything else as a validation error', () => {
    expect(() => deliveredMessages(ev({ hello: 1 }))).toThrow(ValidationError);
    expect(() => deliveredMessages(ev({ topic: 't', partition: 0, messages: [{}] }))).toThrow(/offset/);
  });
});
