import { describe, expect, it } from 'vitest';
import { orderFromEvent, orderFromFact } from './order.ts';
import { validEvents } from '../../tests/corpus/valid-events.ts';
import { toArchiveRow } from '../archive/denormalise.ts';
import { buildFact } from '../ingest/documents.ts';
import { DEFAULT_KPI_ORDER, makeEvent } from './testing.ts';

describe('orderFromEvent', () => {
  it('normalises a contract event, money in integer cents', () => {
    expect(orderFromEvent(makeEvent())).toEqual({ ok: true, value: DEFAULT_KPI_ORDER });
    const r = orderFromEvent(makeEvent({ total_amount: 1234.57 }));
    expect(r).toEqual({ ok: true, value: { ...DEFAULT_KPI_ORDER, total_cents: 123457 } });
  });

  it('is exact to the cent where x*100 is not an integer in binary', () => {
    for (const [amount, cents] of [[0.29, 29], [1.15, 115], [4.35, 435], [1005.07, 100507], [99999999.99, 9999999999]] as const) {
      const r = orderFromEvent(makeEvent({ total_amount: amount }));
      expect(r.ok && r.value.total_cents).toBe(cents);
    }
  });

  it('rejects what the KPI stage cannot count, naming the field', () => {
    expect(orderFromEvent(null)).toEqual({ ok: false, error: 'event must be a JSON object' });
    expect(orderFromEvent({ ...makeEvent(), customer: 'x' })).toEqual({ ok: false, error: 'customer must be an object' });
    expect(orderFromEvent(makeEvent({ order_timestamp: 'yesterday' }))).toEqual({ ok: false, error: 'order_timestamp must be a timestamp' });
    expect(orderFromEvent(makeEvent({ payment: { processing_ms: -1 } }))).toEqual({ ok: false, error: 'payment.processing_ms must be a finite number >= 0' });
    expect(orderFromEvent(makeEvent({ product: { name: '' } }))).toEqual({ ok: false, error: 'product.name must be a non-empty string' });
  });
});

describe('orderFromFact', () => {
  it('reads the flat orders_fact shape with a Date timestamp', () => {
    const doc = {
      order_id: 'o-9',
      order_timestamp: new Date('2026-01-02T03:04:05.006Z'),
      quantity: 3,
      total_amount: 10.05,
      order_status: 'cancelled',
      customer_id: 'c-2',
      segment: 'premium',
      state: 'NY',
      product_id: 'p-2',
      product_name: 'Desk',
      product_category: 'office',
      payment_method: 'paypal',
      payment_status: 'failed',
      processing_ms: 0,
    };
    const r = orderFromFact(doc);
    expect(r.ok && r.value).toMatchObject({ order_id: 'o-9', ts: Date.UTC(2026, 0, 2, 3, 4, 5, 6), total_cents: 1005, segment: 'premium', processing_ms: 0 });
    expect(orderFromFact({ ...doc, order_timestamp: '2026-01-02T03:04:05.006Z' })).toEqual(r);
    expect(orderFromFact({ ...doc, payment_method: undefined })).toEqual({ ok: false, error: 'payment_method must be a non-empty string' });
  });
});

describe('one order, three shapes', () => {
  it('reads the same KpiOrder from an event, its fact document and its archived row', () => {
    for (const ev of validEvents(200, { seed: 9 })) {
      const fact = buildFact(ev, Date.parse(ev.order_timestamp), 'h', new Date(0));
      const row = toArchiveRow({ ...fact, hot_id: '0'.repeat(24) }, { customers: new Map(), products: new Map(), payments: new Map() }, 'b');
      const fromEvent = orderFromEvent(ev);
      expect(fromEvent.ok).toBe(true);
      expect(orderFromFact(fact)).toEqual(fromEvent);
      expect(orderFromFact(row)).toEqual(fromEvent);
    }
  });
});
