import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../shared/delivery/wire.ts';
import { fromParked, parkedMessages, parkedTopicOf } from './parking.ts';

const rec = (offset: string, value: string | null, headers: KafkaRecord['headers'] = []): KafkaRecord => ({ offset, key: Buffer.from(`k${offset}`), value: value === null ? null : Buffer.from(value), timestamp: '1700000000000', headers });

/** What a consumer reads back: headers as a flat list, values as Buffers. */
function readBack(m: ReturnType<typeof parkedMessages>[number], offset: string): KafkaRecord {
  const headers = Object.entries(m.headers).flatMap(([key, vs]) => vs.map((v) => ({ key, value: Buffer.isBuffer(v) ? v : Buffer.from(v) })));
  return { offset, key: m.key, value: m.value, timestamp: '1800000000000', headers };
}

describe('parking records', () => {
  const last = { status: 400, excerpt: '{"error":"bad batch","code":"invalid_batch","retriable":false}', code: 'invalid_batch', retriable: false };
  const records = [rec('41', 'a', [{ key: 'trace', value: Buffer.from('t1') }, { key: 'trace', value: Buffer.from('t2') }]), rec('42', null)];
  const out = parkedMessages(records, { fn: 'ingest', topic: 'orders', partition: 3, last, attempts: 5, at: new Date('2026-01-02T03:04:05Z') });

  it('names the function, the error and the offsets in headers, keeping key, value and headers', () => {
    expect(parkedTopicOf('orders')).toBe('orders.parked');
    expect(out).toHaveLength(2);
    const h = out[0]!.headers;
    expect(h['orderpulse.parked.function']).toEqual(['ingest']);
    expect(h['orderpulse.parked.status']).toEqual(['400']);
    expect(h['orderpulse.parked.code']).toEqual(['invalid_batch']);
    expect(h['orderpulse.parked.error']![0]).toContain('bad batch');
    expect(h['orderpulse.parked.source.topic']).toEqual(['orders']);
    expect(h['orderpulse.parked.source.partition']).toEqual(['3']);
    expect(h['orderpulse.parked.source.offset']).toEqual(['41']);
    expect(out[1]!.headers['orderpulse.parked.source.offset']).toEqual(['42']);
    expect(h['orderpulse.parked.source.first-offset']).toEqual(['41']);
    expect(h['orderpulse.parked.source.last-offset']).toEqual(['42']);
    expect(h.trace!.map(String)).toEqual(['t1', 't2']);
    expect(out[1]!.value).toBeNull();
  });

  it('reads back to the source record (offset, timestamp, own headers), ready to deliver again', () => {
    const back = fromParked(readBack(out[0]!, '7'))!;
    expect(back.fn).toBe('ingest');
    expect(back.topic).toBe('orders');
    expect(back.partition).toBe(3);
    expect(back.record.offset).toBe('41');
    expect(back.record.timestamp).toBe('1700000000000');
    expect(back.record.value?.toString()).toBe('a');
    expect(back.record.headers.map((x) => [x.key, String(x.value)])).toEqual([['trace', 't1'], ['trace', 't2']]);
    expect(fromParked(rec('1', 'x'))).toBeUndefined();
    // Parked again after a replay: our headers are rewritten, not doubled.
    const again = parkedMessages([back.record, ...[]], { fn: 'ingest', topic: 'orders', partition: 3, last, attempts: 1, at: new Date() });
    expect(again[0]!.headers['orderpulse.parked.source.offset']).toEqual(['41']);
  });
});
