import { describe, expect, it } from 'vitest';
import { validEvents } from '../../tests/corpus/valid-events.ts';
import { MAX_DEPTH, parseUtcTimestamp, validateOrder, type ValidationResult } from './validate.ts';

const MAX = 64 * 1024;
const base = (): Record<string, unknown> => structuredClone(validEvents(1, { seed: 9 })[0]) as unknown as Record<string, unknown>;
const run = (v: unknown, key: string | null = null): ValidationResult => validateOrder(typeof v === 'string' || Buffer.isBuffer(v) ? (v as string | Buffer) : JSON.stringify(v), { maxBytes: MAX, key });
const reason = (v: unknown, key: string | null = null): string => {
  const r = run(v, key);
  return r.ok ? 'ok' : r.reason;
};

describe('validateOrder', () => {
  it('accepts a contract event (string or bytes) and returns it with its time', () => {
    const e = base();
    for (const input of [JSON.stringify(e), Buffer.from(JSON.stringify(e))]) {
      const r = validateOrder(input, { maxBytes: MAX, key: e.order_id as string });
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.event).toEqual(e);
        expect(r.orderId).toBe(e.order_id);
        expect(r.timestampMs).toBe(Date.parse(e.order_timestamp as string));
      }
    }
  });

  it('checks size before anything else, in bytes', () => {
    const e = base();
    e.note = 'é'.repeat(33_000); // 66,000 bytes but 33,000 UTF-16 units
    expect(reason(e)).toBe('oversize');
    expect(reason(Buffer.alloc(MAX + 1, 0xff))).toBe('oversize');
    const fit = base();
    fit.note = 'x'.repeat(MAX - JSON.stringify(fit).length - 20);
    expect(reason(fit)).toBe('ok');
  });

  it('rejects invalid UTF-8 bytes and lone surrogate escapes', () => {
    expect(reason(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('invalid_utf8');
    const e = JSON.stringify(base()).replace('"order_status"', '"x":"\\udfff","order_status"');
    expect(reason(e)).toBe('invalid_utf8');
  });

  it('rejects non-JSON and non-objects as invalid_json', () => {
    for (const t of ['', '{', '{"a":1}x', '[1]', 'null', '3', '"s"', '\ufeff{}', '{"a":NaN}']) expect(reason(t)).toBe('invalid_json');
  });

  it('rejects $, dotted, empty, NUL and prototype-pollution keys at any depth', () => {
    for (const k of ['$set', 'a.b', '', 'x\u0000', '__proto__', 'constructor', 'prototype']) {
      const top = JSON.stringify(base()).replace('{', `{${JSON.stringify(k)}:1,`);
      expect(reason(top), k).toBe('forbidden_key');
      const deep = JSON.stringify(base()).replace('{', `{"meta":{"list":[{"ok":{${JSON.stringify(k)}:1}}]},`);
      expect(reason(deep), k).toBe('forbidden_key');
    }
    // Parsing a pollution attempt never pollutes.
    run(JSON.stringify(base()).replace('{', '{"__proto__":{"polluted":1},'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits nesting depth without recursion', () => {
    const ok = JSON.stringify(base()).replace('{', `{"d":${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)},`);
    expect(reason(ok)).toBe('ok');
    const deep = JSON.stringify(base()).replace('{', `{"d":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)},`);
    expect(reason(deep)).toBe('schema');
    const huge = JSON.stringify(base()).replace('{', `{"d":${'['.repeat(30_000)}${']'.repeat(30_000)},`);
    expect(run(huge)).toMatchObject({ ok: false, reason: 'schema', detail: expect.stringContaining('nesting') });
  });

  it('names the field in schema details and keeps the order_id when usable', () => {
    const e = base();
    e.quantity = 0;
    expect(run(e)).toMatchObject({ ok: false, reason: 'schema', detail: expect.stringContaining('quantity'), orderId: e.order_id });
    const m = base();
    delete (m.payment as Record<string, unknown>).method;
    expect(run(m)).toMatchObject({ reason: 'schema', detail: 'payment.method is missing' });
  });

  it('enforces money rules: finite, >= 0, at most 2 decimals, capped', () => {
    for (const v of [-0.01, 1.005, 0.001, 12.345, 1e9, '1.00', null]) {
      const e = base();
      e.shipping_cost = v;
      expect(reason(e), String(v)).toBe('schema');
    }
    expect(reason(JSON.stringify(base()).replace(/"shipping_cost":[\d.]+/, '"shipping_cost":1e309'))).toBe('schema');
  });

  it('checks the total in integer cents with a 1-cent tolerance', () => {
    const e = base();
    e.quantity = 3;
    e.unit_price = 0.1;
    e.shipping_cost = 0.2;
    e.tax_amount = 0;
    for (const [total, want] of [[0.5, 'ok'], [0.51, 'ok'], [0.49, 'ok'], [0.52, 'total_mismatch'], [0.48, 'total_mismatch']] as const) {
      e.total_amount = total;
      expect(reason(e), String(total)).toBe(want);
    }
  });

  it('rejects a Kafka key that differs from order_id, accepts a missing key', () => {
    const e = base();
    expect(reason(e, 'other')).toBe('key_mismatch');
    expect(reason(e, e.order_id as string)).toBe('ok');
    expect(reason(e, null)).toBe('ok');
  });

  it('allows unknown fields at every level', () => {
    const e = base();
    e.coupon = { code: 'X' };
    (e.customer as Record<string, unknown>).tier = 2;
    const r = run(e);
    expect(r.ok && r.event.coupon).toEqual({ code: 'X' });
  });

  it('never throws, whatever the input', () => {
    const inputs: (string | Buffer)[] = [Buffer.alloc(0), '{"order_id":{"toString":1}}', '{"customer":{"_id":1}}', Buffer.from([0xc0]), '{"order_timestamp":"9999-99-99T99:99:99Z"}'];
    for (const i of inputs) expect(() => validateOrder(i, { maxBytes: MAX })).not.toThrow();
  });

  it('costs well under 40 µs per event', () => {
    const texts = validEvents(3000, { seed: 5 }).map((x) => JSON.stringify(x));
    for (const t of texts) validateOrder(t, { maxBytes: MAX }); // warm up
    const t0 = process.cpuUsage();
    for (const t of texts) validateOrder(t, { maxBytes: MAX, key: null });
    const u = process.cpuUsage(t0);
    const perEventUs = (u.user + u.system) / texts.length;
    expect(perEventUs).toBeLessThan(40);
  });
});

describe('parseUtcTimestamp', () => {
  it('accepts Z and +00:00 with up to 9 fraction digits', () => {
    expect(parseUtcTimestamp('2024-05-01T12:34:56Z')).toBe(Date.UTC(2024, 4, 1, 12, 34, 56));
    expect(parseUtcTimestamp('2024-05-01T12:34:56.789123Z')).toBe(Date.UTC(2024, 4, 1, 12, 34, 56, 789));
    expect(parseUtcTimestamp('2024-05-01T12:34:56.5+00:00')).toBe(Date.UTC(2024, 4, 1, 12, 34, 56, 500));
  });
  it('rejects impossible dates, other zones and out-of-range years', () => {
    for (const s of ['2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-05-01T12:00:00+01:00', '2024-05-01T12:00:00', '2100-01-01T00:00:00Z', '0099-01-01T00:00:00Z']) {
      expect(typeof parseUtcTimestamp(s), s).toBe('string');
    }
  });
});
