import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson, canonicalJsonReference, contentOf, sha256Hex } from './canonical.ts';
import { validEvents } from '../../tests/corpus/valid-events.ts';

describe('canonicalJson', () => {
  it('sorts keys recursively, keeps array order, drops whitespace', () => {
    const v = JSON.parse('{ "b": 1, "a": { "z": [3, {"y": 1, "x": 2}], "c": null }, "A": true }');
    expect(canonicalJson(v)).toBe('{"A":true,"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1}');
  });

  it('is independent of key order and whitespace of the source text', () => {
    const a = JSON.parse('{"order_id":"o1","quantity":2,"customer":{"state":"CA","city":"X"}}');
    const b = JSON.parse('{\n  "customer": {"city": "X", "state": "CA"},\n  "quantity": 2.0,\n  "order_id": "o1"\n}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(contentOf(a).hash).toBe(contentOf(b).hash);
  });

  it('round-trips: parse(canonical(x)) deep-equals x and canonical is idempotent', () => {
    const samples = [
      { s: 'é ☕ 🛒 "quoted" \\ \n \u0001', n: [0, -1.5, 1e21, 5e-7, 123456789.12], t: true, f: false, z: null, nested: { a: [[], {}] } },
      [1, 'two', { three: 3 }],
      'just a string',
      42,
      null,
    ];
    for (const x of samples) {
      const c = canonicalJson(x);
      expect(JSON.parse(c)).toEqual(x);
      expect(canonicalJson(JSON.parse(c))).toBe(c);
      expect(c).toBe(canonicalJsonReference(x));
    }
  });

  it('writes -0 as 0, like JSON.stringify', () => {
    expect(canonicalJson({ a: -0 })).toBe('{"a":0}');
  });

  it('orders integer-like keys as strings (not in engine enumeration order)', () => {
    const v = JSON.parse('{"9":"a","10":"b","x":1,"01":2}');
    expect(Object.keys(v)).toEqual(['9', '10', 'x', '01']); // engine order: indices first
    expect(canonicalJson(v)).toBe('{"01":2,"10":"b","9":"a","x":1}');
    expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
  });

  it('keeps a "__proto__" key as data without touching any prototype', () => {
    const v = JSON.parse('{"b":1,"__proto__":{"polluted":true}}');
    const c = canonicalJson(v);
    expect(c).toBe('{"__proto__":{"polluted":true},"b":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('equals the reference serialiser on many shapes (shape cache, escapes, non-ASCII)', () => {
    const evs = validEvents(200, { seed: 12 }).map((e, i) => (i % 3 === 0 ? JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(e).reverse()))) : e));
    const odd = [{ 'ключ': 'значение', 'a"b': 'q"uote\\', '\u007f': '\u2028', é: ['☕', { z: 1, a: [null, true] }] }, { b: 1, a: 2 }, { a: 2, b: 1 }];
    for (const v of [...evs, ...odd]) expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
  });

  it('rejects non-JSON values', () => {
    expect(() => canonicalJsonReference(undefined)).toThrow(TypeError);
    expect(() => canonicalJsonReference(() => 1)).toThrow(TypeError);
  });
});

describe('sha256Hex', () => {
  it('hashes the UTF-8 bytes of a string and raw bytes alike', () => {
    const s = 'Café ☕';
    const want = createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
    expect(sha256Hex(s)).toBe(want);
    expect(sha256Hex(Buffer.from(s, 'utf8'))).toBe(want);
    expect(sha256Hex(Buffer.from([0xff, 0x00]))).toBe(createHash('sha256').update(Buffer.from([0xff, 0x00])).digest('hex'));
  });
});
