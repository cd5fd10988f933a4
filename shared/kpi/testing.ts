/** Small builders for KPI tests (no I/O). */
import type { OrderEvent } from '../contract/types.ts';
import type { KpiOrder } from './types.ts';

export function makeEvent(over: Partial<Omit<OrderEvent, 'customer' | 'product' | 'payment'>> & { customer?: Partial<OrderEvent['customer']>; product?: Partial<OrderEvent['product']>; payment?: Partial<OrderEvent['payment']> } = {}): OrderEvent {
  const { customer, product, payment, ...rest } = over;
  return {
    order_id: 'o-1',
    order_timestamp: '2026-11-24T10:15:30.000Z',
    quantity: 2,
    unit_price: 10.1,
    shipping_cost: 4.99,
    tax_amount: 1.62,
    total_amount: 26.81,
    order_status: 'completed',
    customer: { customer_id: 'c-1', segment: 'regular', state: 'CA', city: 'Fresno', ...customer },
    product: { product_id: 'p-1', name: 'Lamp', category: 'home', ...product },
    payment: { payment_id: 'pay-1', method: 'credit_card', status: 'success', processing_ms: 120, ...payment },
    ...rest,
  };
}

/** What the KPI stage reads from `makeEvent()` (money in cents, time in epoch ms). */
export const DEFAULT_KPI_ORDER: KpiOrder = {
  order_id: 'o-1',
  ts: Date.UTC(2026, 10, 24, 10, 15, 30),
  quantity: 2,
  total_cents: 2681,
  order_status: 'completed',
  customer_id: 'c-1',
  segment: 'regular',
  state: 'CA',
  product_id: 'p-1',
  product_name: 'Lamp',
  product_category: 'home',
  payment_method: 'credit_card',
  payment_status: 'success',
  processing_ms: 120,
};
