/**
 * The KPI business rules, in one pure function: what one accepted order adds to the counters
 * (docs/contracts.md §4). The store only adds these numbers; it knows no rule.
 */
import { minuteOf, toMicros } from './money.ts';
import type { Contribution, KpiOrder } from './types.ts';

export function contributionOf(o: KpiOrder): Contribution {
  const cancelled = o.order_status === 'cancelled';
  const success = o.payment_status === 'success';
  const paid = success && !cancelled;
  return {
    order_id: o.order_id,
    ts: o.ts,
    minute: minuteOf(o.ts),
    customer_id: o.customer_id,
    segment: o.segment,
    state: o.state,
    product_id: o.product_id,
    product_name: o.product_name,
    product_category: o.product_category,
    quantity: cancelled ? 0 : o.quantity,
    revenue_cents: paid ? o.total_cents : 0,
    paid: paid ? 1 : 0,
    success: success ? 1 : 0,
    payment_method: o.payment_method,
    processing_us: toMicros(o.processing_ms),
  };
}

/** Fields per order in the apply script's ARGV (keep in step with scripts.ts). */
export const ARGV_FIELDS = 15;

/** Flatten contributions into the apply script's argument list (strings, integers as decimal text). */
export function encodeContributions(list: readonly Contribution[]): string[] {
  const out: string[] = [];
  for (const c of list) {
    out.push(
      c.order_id,
      String(c.ts),
      String(c.minute),
      c.customer_id,
      c.segment,
      c.state,
      c.product_id,
      JSON.stringify([c.product_name, c.product_category]),
      String(c.quantity),
      String(c.revenue_cents),
      String(c.paid),
      String(c.success),
      c.payment_method,
      String(c.processing_us),
      // order rank for the product-name rule: earliest (order_timestamp, order_id) wins
      `${c.ts}|${c.order_id}`,
    );
  }
  return out;
}
