import { describe, expect, it } from 'vitest';
import { ARGV_FIELDS, contributionOf, encodeContributions } from './contribution.ts';
import { orderFromEvent } from './order.ts';
import { DEFAULT_KPI_ORDER, makeEvent } from './testing.ts';
import type { OrderEvent } from '../contract/types.ts';

function contrib(ev: OrderEvent) {
  const r = orderFromEvent(ev);
  if (!r.ok) throw new Error(r.error);
  return contributionOf(r.value);
}

describe('contributionOf', () => {
  it('a completed, paid order counts everywhere, in cents', () => {
    const { total_cents: _total, order_status: _status, payment_status: _payment, processing_ms: _ms, ...attributes } = DEFAULT_KPI_ORDER;
    expect(contrib(makeEvent())).toEqual({
      ...attributes,
      minute: Math.floor(Date.UTC(2026, 10, 24, 10, 15) / 60000),
      quantity: 2,
      revenue_cents: 2681,
      paid: 1,
      success: 1,
      processing_us: 120000,
    });
    expect(attributes).toMatchObject({ order_id: 'o-1', ts: Date.UTC(2026, 10, 24, 10, 15, 30), customer_id: 'c-1', product_name: 'Lamp', payment_method: 'credit_card' });
  });

  it('a pending order with a successful payment is paid (only cancelled is excluded)', () => {
    const c = contrib(makeEvent({ order_status: 'pending' }));
    expect([c.paid, c.success, c.revenue_cents, c.quantity]).toEqual([1, 1, 2681, 2]);
  });

  it('a cancelled order: no revenue, no quantity, but its payment success still counts', () => {
    const c = contrib(makeEvent({ order_status: 'cancelled' }));
    expect([c.paid, c.success, c.revenue_cents, c.quantity]).toEqual([0, 1, 0, 0]);
  });

  it('a failed payment: no revenue, not paid, not a success; quantity still counts when not cancelled', () => {
    const c = contrib(makeEvent({ payment: { status: 'failed' } }));
    expect([c.paid, c.success, c.revenue_cents, c.quantity]).toEqual([0, 0, 0, 2]);
  });

  it('processing time in integer microseconds; the minute is the UTC minute floor', () => {
    const c = contrib(makeEvent({ order_timestamp: '2026-11-24T10:15:59.999Z', payment: { processing_ms: 12.345 } }));
    expect(c.processing_us).toBe(12345);
    expect(new Date(c.minute * 60000).toISOString()).toBe('2026-11-24T10:15:00.000Z');
  });
});

describe('encodeContributions', () => {
  it(`writes ${ARGV_FIELDS} strings per order, integers as decimal text`, () => {
    const a = encodeContributions([contrib(makeEvent()), contrib(makeEvent({ order_id: 'o-2', product: { name: 'A "quoted"\tname' } }))]);
    expect(a).toHaveLength(2 * ARGV_FIELDS);
    expect(a.slice(0, ARGV_FIELDS)).toEqual([
      'o-1',
      String(Date.UTC(2026, 10, 24, 10, 15, 30)),
      String(Math.floor(Date.UTC(2026, 10, 24, 10, 15) / 60000)),
      'c-1',
      'regular',
      'CA',
      'p-1',
      '["Lamp","home"]',
      '2',
      '2681',
      '1',
      '1',
      'credit_card',
      '120000',
      `${Date.UTC(2026, 10, 24, 10, 15, 30)}|o-1`,
    ]);
    expect(JSON.parse(a[ARGV_FIELDS + 7] as string)).toEqual(['A "quoted"\tname', 'home']);
  });
});
