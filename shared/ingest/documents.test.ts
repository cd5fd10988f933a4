import { describe, expect, it } from 'vitest';
import { validEvents } from '../../tests/corpus/valid-events.ts';
import type { OrderEvent } from '../contract/types.ts';
import { buildFact, customerRow, extraFields, legacyPaymentRow, productRow, timeAttributes } from './documents.ts';

describe('documents', () => {
  it('derives UTC time attributes exactly as Date does', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(i * 7_919_993.7) + Date.UTC(1999, 11, 31);
      const d = new Date(ms);
      for (const iso of [d.toISOString(), d.toISOString().slice(0, 19) + '+00:00']) {
        expect(timeAttributes(ms, iso)).toEqual({ date_key: d.toISOString().slice(0, 10), minute_key: d.toISOString().slice(0, 16), hour: d.getUTCHours(), dow: d.getUTCDay() });
      }
    }
  });

  it('keeps unknown fields in rows and extras, with the key fields authoritative', () => {
    const e = structuredClone(validEvents(1, { seed: 1 })[0]!) as OrderEvent & Record<string, unknown>;
    expect(extraFields(e)).toBeUndefined();
    e.coupon = 'X';
    e.customer.tier = 'gold';
    e.product.sku = 'S1';
    e.payment.order_id = e.order_id;
    e.payment.card = '4242';
    expect(extraFields(e)).toEqual({ coupon: 'X' });
    expect(customerRow(e)).toEqual({ _id: e.customer.customer_id, ...e.customer });
    expect(productRow(e)).toEqual({ _id: e.product.product_id, ...e.product });
    // Payments are folded into the fact: their unknown fields (not the order_id) are the fact's payment_attrs.
    expect(buildFact(e, Date.parse(e.order_timestamp), 'h', new Date()).payment_attrs).toEqual({ card: '4242' });
    expect(legacyPaymentRow(e)).toEqual({ _id: e.payment.payment_id, ...e.payment, order_id: e.order_id });
    const plain = validEvents(1, { seed: 2 })[0]!;
    expect(Object.keys(customerRow(plain)).sort()).toEqual(['_id', 'city', 'customer_id', 'segment', 'state']);
    expect(Object.keys(legacyPaymentRow(plain))).toEqual(['_id', 'payment_id', 'order_id', 'method', 'status', 'processing_ms']);
    expect(Object.keys(customerRow(plain))).toEqual(['_id', 'customer_id', 'segment', 'state', 'city']);
    expect(Object.keys(productRow(plain))).toEqual(['_id', 'product_id', 'name', 'category']);
  });

  it('builds the fact document field by field, in the stored order, payment_attrs after them (null when none), extra last and only when present', () => {
    const e = validEvents(1, { seed: 4 })[0]!;
    const at = new Date('2026-01-01T00:00:01Z');
    const ms = Date.parse(e.order_timestamp);
    const doc = buildFact(e, ms, 'h'.repeat(64), at);
    const names = 'order_id order_timestamp quantity unit_price shipping_cost tax_amount total_amount order_status customer_id product_id payment_id segment state city payment_method payment_status processing_ms product_name product_category date_key minute_key hour dow content_hash ingested_at payment_attrs';
    expect(Object.keys(doc)).toEqual(names.split(' '));
    expect(doc).toEqual({
      ...{ order_id: e.order_id, order_timestamp: new Date(ms), quantity: e.quantity, unit_price: e.unit_price, shipping_cost: e.shipping_cost, tax_amount: e.tax_amount, total_amount: e.total_amount },
      ...{ order_status: e.order_status, customer_id: e.customer.customer_id, product_id: e.product.product_id, payment_id: e.payment.payment_id },
      ...{ segment: e.customer.segment, state: e.customer.state, city: e.customer.city, payment_method: e.payment.method, payment_status: e.payment.status, processing_ms: e.payment.processing_ms },
      ...{ product_name: e.product.name, product_category: e.product.category, ...timeAttributes(ms, e.order_timestamp), content_hash: 'h'.repeat(64), ingested_at: at, payment_attrs: null },
    });
    const withExtra = buildFact({ ...e, coupon: 'X' }, ms, 'h', at);
    expect(Object.keys(withExtra)).toEqual([...names.split(' '), 'extra']);
    expect(withExtra.extra).toEqual({ coupon: 'X' });
    // Every unknown key of the payment is kept, whatever its name; payment.order_id (the order's own, by validation) is not unknown.
    const odd = buildFact({ ...e, payment: { ...e.payment, order_id: e.order_id, payment_attrs: 'x', gateway: { name: 'acme', retries: 2 } } }, ms, 'h', at);
    expect(Object.keys(odd)).toEqual(names.split(' '));
    expect(odd.payment_attrs).toEqual({ payment_attrs: 'x', gateway: { name: 'acme', retries: 2 } });
    expect(buildFact({ ...e, payment: { ...e.payment, order_id: e.order_id } }, ms, 'h', at).payment_attrs).toBeNull();
  });

  it('copies a "__proto__" extra as data, polluting nothing', () => {
    const e = JSON.parse(JSON.stringify(validEvents(1, { seed: 3 })[0]).replace('{', '{"__proto__":{"polluted":true},')) as OrderEvent;
    const extra = extraFields(e)!;
    expect(Object.getOwnPropertyNames(extra)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
