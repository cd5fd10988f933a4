/** The event contract of DESIGN.md §2 (topic `orders`, key = order_id, value = UTF-8 JSON). */
export const ORDER_STATUSES = ['completed', 'pending', 'cancelled'] as const;
export const SEGMENTS = ['premium', 'regular', 'budget'] as const;
export const PAYMENT_METHODS = ['credit_card', 'debit_card', 'paypal', 'crypto'] as const;
export const PAYMENT_STATUSES = ['success', 'failed'] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type Segment = (typeof SEGMENTS)[number];
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface Customer {
  customer_id: string;
  segment: Segment;
  state: string;
  city: string;
  [extra: string]: unknown;
}
export interface Product {
  product_id: string;
  name: string;
  category: string;
  [extra: string]: unknown;
}
export interface Payment {
  payment_id: string;
  method: PaymentMethod;
  status: PaymentStatus;
  processing_ms: number;
  [extra: string]: unknown;
}
export interface OrderEvent {
  order_id: string;
  order_timestamp: string;
  quantity: number;
  unit_price: number;
  shipping_cost: number;
  tax_amount: number;
  total_amount: number;
  order_status: OrderStatus;
  customer: Customer;
  product: Product;
  payment: Payment;
  /** Unknown extra fields are allowed and kept. */
  [extra: string]: unknown;
}

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
