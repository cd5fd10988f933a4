import { describe, expect, it } from 'vitest';
import { createDlqTally, dlqSourceKey } from './dlq.ts';

const rec = (offset: string, partition = 0): string => JSON.stringify({ reason: 'schema', detail: 'x', raw_b64: '', source: { topic: 'orders', partition, offset, key: 'k' }, order_id: null, at: 't' });

describe('DLQ counts by reason', () => {
  it('reads the source offset of a DLQ record, null when it is not one', () => {
    expect(dlqSourceKey(Buffer.from(rec('17', 2)))).toBe('orders/2/17');
    expect(dlqSourceKey('{"source":{"topic":"t","partition":1,"offset":5}}')).toBe('t/1/5');
    expect(dlqSourceKey(null)).toBeNull();
    expect(dlqSourceKey('not json')).toBeNull();
    expect(dlqSourceKey('{"source":{"topic":"t"}}')).toBeNull();
  });

  it('counts each source message once (a redelivered batch repeats its DLQ records), records without a source as they come', () => {
    const t = createDlqTally();
    t.add('schema', 'orders/0/1');
    t.add('schema', 'orders/0/2');
    t.add('conflict', 'orders/1/2');
    t.add('schema', 'orders/0/1'); // redelivery
    t.add('invalid_json', null);
    t.add('invalid_json', null);
    t.add(null, null);
    expect(t.counts()).toEqual({ by_reason: { conflict: 1, invalid_json: 2, schema: 2, unknown: 1 }, records: 7, redelivered: 1 });
  });
});
