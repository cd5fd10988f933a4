import { describe, expect, it } from 'vitest';
import { validEvents } from '../../tests/corpus/valid-events.ts';
import type { OrderEvent } from '../contract/types.ts';
import { customerRow, extraFields, paymentRow, productRow, timeAttributes } from './documents.ts';

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
    expect(paymentRow(e)).toEqual({ _id: e.payment.payment_id, ...e.payment, order_id: e.order_id });
    const plain = validEvents(1, { seed: 2 })[0]!;
    expect(Object.keys(customerRow(plain)).sort()).toEqual(['_id', 'city', 'customer_id', 'segment', 'state']);
    expect(Object.keys(paymentRow(plain)).sort()).toEqual(['_id', 'method', 'order_id', 'payment_id', 'processing_ms', 'status']);
  });

  it('copies a "__proto__" extra as data, polluting nothing', () => {
    const e = JSON.parse(JSON.stringify(validEvents(1, { seed: 3 })[0]).replace('{', '{"__proto__":{"polluted":true},')) as OrderEvent;
    const extra = extraFields(e)!;
    expect(Object.getOwnPropertyNames(extra)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
