import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../platform/errors.ts';
import type { FnEvent } from '../platform/fn.ts';
import { decodeEvent } from './decode-event.ts';
import { decodeBatch, encodeBatch, encodeMessage } from './kafka-batch.ts';
import { encodeSingle } from './single.ts';
import { deliveredBatch, headersFromObject, KAFKA_BATCH_CONTENT_TYPE, recordFromKafka, type DeliveredMessage, type KafkaRecord } from './wire.ts';

const rec = (offset: string, value: Buffer | null, key: Buffer | null = Buffer.from(`k${offset}`), headers: KafkaRecord['headers'] = []): KafkaRecord => ({
  offset,
  key,
  value,
  timestamp: '1700000000000',
  headers,
});

const ev = (headers: Record<string, string>, rawBody: Buffer, body: unknown = rawBody): FnEvent => ({ body, rawBody, headers, method: 'POST', query: {}, path: '/' });

/** keyText / valueText, when set, are exactly the key's / value's bytes; the message without them. */
function withoutTexts(m: DeliveredMessage): DeliveredMessage {
  const { keyText, valueText, ...rest } = m;
  if (keyText !== undefined) expect(Buffer.from(keyText, 'utf8').equals(m.key!)).toBe(true);
  if (valueText !== undefined) expect(Buffer.from(valueText, 'utf8').equals(m.value!)).toBe(true);
  return rest;
}

/** What the connector sends and the template hands the function: encode -> bytes -> JSON.parse -> decode. */
function viaBatch(topic: string, partition: number, records: KafkaRecord[]): DeliveredMessage[] {
  const raw = encodeBatch(topic, partition, records);
  const b = decodeEvent(ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, raw, JSON.parse(raw.toString('utf8'))));
  expect([b.topic, b.partition]).toEqual([topic, partition]);
  return b.messages.map(withoutTexts);
}

function viaSingle(topic: string, partition: number, r: KafkaRecord): DeliveredMessage {
  const { body, headers } = encodeSingle(topic, partition, r);
  const b = decodeEvent(ev(headers, body));
  expect(b.messages).toHaveLength(1);
  return b.messages[0]!;
}

const BYTES: Buffer[] = [
  Buffer.from('{"order_id":"o-1","city":"São Paulo","emoji":"🛒"}'),
  Buffer.from('\ufeffwith BOM'),
  Buffer.from([0xff, 0xfe, 0x00]), // invalid UTF-8
  Buffer.from([0xc0, 0xaf]), // overlong encoding
  Buffer.from([0xed, 0xa0, 0x80]), // lone surrogate (CESU-8)
  Buffer.from([0xe2, 0x82]), // truncated sequence
  Buffer.from('{"a":1'), // truncated JSON, still text
  Buffer.from('null'), // the text null is a value, not a tombstone
  Buffer.alloc(0),
];

const INT64_MAX = '9223372036854775807';

describe('batch delivery: encode -> JSON -> decode', () => {
  it('sends valid UTF-8 as a string and everything else as base64, both round-tripping exactly', () => {
    for (const v of BYTES) {
      const e = encodeMessage(rec('1', v));
      const roundTrips = Buffer.from(v.toString('utf8'), 'utf8').equals(v);
      expect(typeof e.value === 'string', v.toString('hex')).toBe(roundTrips);
      expect(typeof e.value_b64 === 'string', v.toString('hex')).toBe(!roundTrips);
    }
    const got = viaBatch('orders', 2, BYTES.map((v, i) => rec(String(i), v)));
    got.forEach((m, i) => expect(m.value!.equals(BYTES[i]!), BYTES[i]!.toString('hex')).toBe(true));
  });

  it('tombstones: no value field on the wire, null decoded; a zero-length value stays zero-length', () => {
    expect(encodeMessage(rec('3', null, null))).toEqual({ offset: '3', key: null, timestamp: '1700000000000' });
    const [tomb, empty, text] = viaBatch('orders', 0, [rec('3', null), rec('4', Buffer.alloc(0)), rec('5', Buffer.from('null'))]);
    expect(tomb!.value).toBeNull();
    expect(empty!.value).toEqual(Buffer.alloc(0));
    expect(text!.value).toEqual(Buffer.from('null'));
  });

  it('keys: null stays null, empty stays empty, text and binary keys keep their bytes', () => {
    const keys = [null, Buffer.alloc(0), Buffer.from('o-1'), Buffer.from('São 🛒'), Buffer.from([0xff, 0x00, 0x80])];
    expect(encodeMessage(rec('0', Buffer.from('x'), Buffer.alloc(0))).key).toBe('');
    expect(encodeMessage(rec('0', Buffer.from('x'), keys[4]!))).toMatchObject({ key_b64: '/wCA' });
    const got = viaBatch('orders', 1, keys.map((k, i) => rec(String(i), Buffer.from('{}'), k)));
    expect(got.map((m) => m.key)).toEqual(keys);
  });

  it('record headers in order, repeated keys kept, text / binary / null values', () => {
    const headers = [
      { key: 'trace', value: Buffer.from('abc') },
      { key: 'bin', value: Buffer.from([0xfe, 0x01]) },
      { key: 'trace', value: Buffer.from('def') },
      { key: 'none', value: null },
      { key: 'empty', value: Buffer.alloc(0) },
    ];
    const e = encodeMessage(rec('7', Buffer.from('{}'), null, headers));
    expect(e.headers).toEqual([{ key: 'trace', value: 'abc' }, { key: 'bin', value_b64: '/gE=' }, { key: 'trace', value: 'def' }, { key: 'none' }, { key: 'empty', value: '' }]);
    expect(encodeMessage(rec('8', Buffer.from('{}'))).headers).toBeUndefined();
    const [m, plain] = viaBatch('orders', 0, [rec('7', Buffer.from('{}'), null, headers), rec('8', Buffer.from('{}'))]);
    expect(m!.headers).toEqual(headers);
    expect(plain!.headers).toEqual([]);
  });

  it('partitions and offsets as big as Kafka has them, timestamps as given', () => {
    const got = viaBatch('t', 2 ** 31 - 1, [rec('0', Buffer.from('a')), rec(INT64_MAX, Buffer.from('b'))]);
    expect(got).toEqual([
      { topic: 't', partition: 2 ** 31 - 1, offset: '0', key: Buffer.from('k0'), value: Buffer.from('a'), timestamp: '1700000000000', headers: [] },
      { topic: 't', partition: 2 ** 31 - 1, offset: INT64_MAX, key: Buffer.from(`k${INT64_MAX}`), value: Buffer.from('b'), timestamp: '1700000000000', headers: [] },
    ]);
  });

  it('the same as building the DeliveredBatch directly (tests and benchmarks may skip the wire)', () => {
    const records = [rec('10', Buffer.from('a')), rec('11', Buffer.from([0x80]), null), rec('12', null, Buffer.alloc(0), [{ key: 'h', value: null }])];
    expect(viaBatch('orders', 2, records)).toEqual(deliveredBatch('orders', 2, records).messages);
  });

  it('keeps the text of text keys and values (keyText, valueText), never of base64, null or ill-formed ones', () => {
    const b = {
      topic: 'orders',
      partition: 0,
      messages: [
        { offset: '1', key: 'o-1', value: '{"city":"São 🛒"}', timestamp: '0' },
        { offset: '2', key: null, value_b64: Buffer.from('{}').toString('base64'), timestamp: '0' },
        { offset: '3', key: 'k', key_b64: Buffer.from('other').toString('base64'), value: 'text', value_b64: Buffer.from('bytes').toString('base64'), timestamp: '0' },
        { offset: '4', key: '\ud800', value: '{"a":"\udc00"}', timestamp: '0' },
        { offset: '5', key: '', timestamp: '0' },
      ],
    };
    const got = decodeBatch(JSON.parse(JSON.stringify(b)));
    expect(got.messages.map((m) => [m.keyText, m.valueText])).toEqual([
      ['o-1', '{"city":"São 🛒"}'],
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
      ['', undefined],
    ]);
    expect(got.messages[2]!.value!.toString()).toBe('bytes');
    got.messages.forEach(withoutTexts);
  });

  it('a batch with no messages', () => {
    expect(viaBatch('orders', 0, [])).toEqual([]);
  });
});

describe('single-message delivery (OpenFaaS connector way): encode -> headers + body -> decode', () => {
  it('keeps value bytes, keys, partition, offset and timestamp', () => {
    const keys = [null, Buffer.alloc(0), Buffer.from('o-1'), Buffer.from('São 🛒'), Buffer.from([0xff, 0x80, 0x41]), Buffer.from('a\nb'), Buffer.from(' padded '), Buffer.from([0x00])];
    for (const k of keys) expect(viaSingle('orders', 3, rec('42', Buffer.from('{}'), k)).key, String(k?.toString('hex'))).toEqual(k);
    for (const v of BYTES.filter((b) => b.length > 0)) expect(viaSingle('orders', 3, rec('1', v)).value).toEqual(v);
    expect(viaSingle('orders', 2 ** 31 - 1, rec(INT64_MAX, Buffer.from('x')))).toMatchObject({ topic: 'orders', partition: 2 ** 31 - 1, offset: INT64_MAX, timestamp: '1700000000000', headers: [] });
  });

  it('a tombstone arrives as an empty body and decodes as null (so does a zero-length value)', () => {
    expect(encodeSingle('orders', 0, rec('1', null)).body).toEqual(Buffer.alloc(0));
    expect(viaSingle('orders', 0, rec('1', null)).value).toBeNull();
    expect(viaSingle('orders', 0, rec('1', Buffer.alloc(0))).value).toBeNull();
  });

  it('agrees with the batch delivery on every message it can carry (record headers are batch-only)', () => {
    const records = BYTES.filter((b) => b.length > 0).map((v, i) => rec(String(i), v, i % 3 === 0 ? null : Buffer.from(`k-${i}-é`)));
    const batch = viaBatch('orders', 1, records);
    records.forEach((r, i) => expect(viaSingle('orders', 1, r)).toEqual(batch[i]));
  });

  it('headers survive a real HTTP hop (Node reads header values as latin1: the raw key bytes)', async () => {
    const got: FnEvent[] = [];
    const server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(parts);
        got.push({ body: raw, rawBody: raw, headers: req.headers, method: req.method ?? 'POST', query: {}, path: req.url ?? '/' });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const records = [rec('1', Buffer.from([0xff, 0x01]), Buffer.from('São 🛒')), rec('2', Buffer.from('{}'), Buffer.from('a\r\nb')), rec('3', Buffer.from('x'), null), rec('4', Buffer.from('y'), Buffer.alloc(0))];
      for (const r of records) {
        const { body, headers } = encodeSingle('orders', 0, r);
        await (await fetch(url, { method: 'POST', body: new Uint8Array(body), headers })).arrayBuffer();
      }
      expect(got.map((e) => decodeEvent(e).messages[0])).toEqual(deliveredBatch('orders', 0, records).messages);
    } finally {
      server.close();
    }
  });
});

describe('decodeEvent', () => {
  const batch = { topic: 'orders', partition: 2, messages: [{ offset: '5', key: 'o1', value: '{}', timestamp: '1' }] };
  const decoded = [{ topic: 'orders', partition: 2, offset: '5', key: Buffer.from('o1'), value: Buffer.from('{}'), timestamp: '1', headers: [], keyText: 'o1', valueText: '{}' }];

  it('takes a parsed KafkaBatch as is, or parses the raw body', () => {
    const raw = Buffer.from(JSON.stringify(batch));
    expect(decodeEvent(ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, raw, batch))).toEqual({ topic: 'orders', partition: 2, messages: decoded });
    expect(decodeEvent(ev({ 'content-type': `${KAFKA_BATCH_CONTENT_TYPE}; charset=utf-8` }, raw)).messages).toEqual(decoded);
  });

  it('reads value_b64, key null and tombstones of a batch written by hand', () => {
    const b = {
      topic: 'orders.accepted',
      partition: 2,
      messages: [
        { offset: '5', key: 'o-1', value: '{"a":1}', timestamp: '0' },
        { offset: '6', key: null, value_b64: Buffer.from('{"b":2}').toString('base64'), timestamp: '0' },
        { offset: '7', key: 'o-3', timestamp: '0' },
      ],
    };
    const got = decodeEvent(ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), b)).messages;
    expect(got.map((m) => [m.offset, m.key?.toString() ?? null, m.value?.toString() ?? null])).toEqual([
      ['5', 'o-1', '{"a":1}'],
      ['6', null, '{"b":2}'],
      ['7', 'o-3', null],
    ]);
  });

  it('turns one OpenFaaS-style message into a batch of one, bytes preserved, whatever the template parsed', () => {
    const b = decodeEvent(ev({ 'x-topic': 'orders', 'x-kafka-partition': '3', 'x-kafka-offset': '42', 'x-kafka-key': 'o9', 'content-type': 'text/plain' }, Buffer.from('{"a":1}'), '{"a":1}'));
    expect(b).toEqual({ topic: 'orders', partition: 3, messages: [{ topic: 'orders', partition: 3, offset: '42', key: Buffer.from('o9'), value: Buffer.from('{"a":1}'), timestamp: '', headers: [] }] });
    const parsed = decodeEvent(ev({ 'x-topic': 'kpi.deltas', 'x-kafka-partition': '1', 'x-kafka-offset': '9', 'x-kafka-key': 'kpi', 'content-type': 'application/json' }, Buffer.from('{"v":1}'), { parsed: true }));
    expect(parsed.messages[0]!.value).toEqual(Buffer.from('{"v":1}'));
    // The OpenFaaS connector sends an empty X-Kafka-Key for a message without a key.
    const bin = decodeEvent(ev({ 'x-topic': 'orders', 'x-kafka-key': '' }, Buffer.from([0xff, 0x00])));
    expect(bin.messages[0]).toMatchObject({ key: null, value: Buffer.from([0xff, 0x00]) });
    // Without partition and offset headers: -1 and "-1" (unknown).
    expect(bin).toMatchObject({ partition: -1, messages: [{ partition: -1, offset: '-1', timestamp: '' }] });
  });

  it('refuses bodies that are neither, or malformed (HTTP 400 invalid_batch, not retriable)', () => {
    const bad: [FnEvent, RegExp?][] = [
      [ev({ 'content-type': 'application/json' }, Buffer.from('{}'), {})],
      [ev({}, Buffer.from('{"hello":1}'), { hello: 1 })],
      // A batch body without the batch content-type is not guessed at.
      [ev({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify(batch)), batch)],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.from('{"topic":1}'), { topic: 1 }), /not a KafkaBatch/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.from('{"topic":"x","partition":0}'), { topic: 'x', partition: 0 }), /not a KafkaBatch/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.from('nope')), /not JSON/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, partition: -1 }), /not a KafkaBatch/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, partition: 1.5 }), /not a KafkaBatch/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{}] }), /offset/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: 5, key: null }] }), /offset/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '1e3', key: null }] }), /offset/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '5', key: 7 }] }), /key/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '5', key: null, value: 7 }] }), /value must be a string/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '5', key: null, value_b64: 7 }] }), /value_b64 must be a string/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '5', headers: { a: 'b' } }] }), /headers/],
      [ev({ 'content-type': KAFKA_BATCH_CONTENT_TYPE }, Buffer.alloc(0), { ...batch, messages: [{ offset: '5', headers: [{ value: 'b' }] }] }), /header #0/],
      [ev({ 'x-topic': 'orders', 'x-kafka-partition': '-1' }, Buffer.from('{}')), /X-Kafka-Partition/],
      [ev({ 'x-topic': 'orders', 'x-kafka-partition': 'two' }, Buffer.from('{}')), /X-Kafka-Partition/],
      [ev({ 'x-topic': 'orders', 'x-kafka-offset': '-5' }, Buffer.from('{}')), /X-Kafka-Offset/],
    ];
    for (const [e, msg] of bad) {
      let err: unknown;
      try {
        decodeEvent(e);
      } catch (x) {
        err = x;
      }
      expect(err, JSON.stringify(e.headers)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('invalid_batch');
      if (msg) expect((err as Error).message).toMatch(msg);
    }
  });

  it('decodeBatch is the same check for a body already in hand', () => {
    expect(decodeBatch(batch).messages).toEqual(decoded);
    expect(() => decodeBatch({ topic: 'x', partition: 0 })).toThrow(/not a KafkaBatch/);
  });
});

describe('from kafkajs records', () => {
  it('keeps null key and value, turns strings into bytes and header objects into an ordered list', () => {
    const r = recordFromKafka({ offset: '9', key: null, value: null, timestamp: '5', headers: { a: 'x', b: [Buffer.from([1]), 'y'], c: undefined } });
    expect(r).toEqual({ offset: '9', key: null, value: null, timestamp: '5', headers: [{ key: 'a', value: Buffer.from('x') }, { key: 'b', value: Buffer.from([1]) }, { key: 'b', value: Buffer.from('y') }, { key: 'c', value: null }] });
    expect(recordFromKafka({ offset: '1', key: 'k', value: Buffer.from('v'), timestamp: '0' })).toMatchObject({ key: Buffer.from('k'), value: Buffer.from('v'), headers: [] });
    expect(headersFromObject(undefined)).toEqual([]);
  });
});
