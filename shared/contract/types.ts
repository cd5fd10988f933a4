/**
 * Types of the event contract (docs/contracts.md §2: topic `orders`, key = order_id, value = UTF-8 JSON).
 * The order itself is declared once, in order.ts; its names are re-exported here for the modules
 * that import the contract's types from this file.
 */
export { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, SEGMENTS } from './order.ts';
export type { Customer, OrderEvent, OrderStatus, Payment, PaymentMethod, PaymentStatus, Product, Segment } from './order.ts';

/** Machine-readable reasons a raw event goes to `orders.dlq`. */
export const DLQ_REASONS = ['invalid_json', 'invalid_utf8', 'schema', 'total_mismatch', 'oversize', 'forbidden_key', 'conflict', 'key_mismatch'] as const;
export type DlqReason = (typeof DLQ_REASONS)[number];

/** A DLQ record (value of a message on `orders.dlq`; key = the original key). */
export interface DlqRecord {
  reason: DlqReason;
  detail: string;
  /** The original message bytes, base64. */
  raw_b64: string;
  source: { topic: string; partition: number; offset: string; key: string | null };
  order_id: string | null;
  at: string;
}
