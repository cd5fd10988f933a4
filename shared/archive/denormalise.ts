/**
 * Fact + dimensions → archive row, joined in the application (FerretDB has no $lookup).
 * The fact's event-time snapshot (segment, state, …) wins, so KPIs rebuilt from the archive equal
 * KPIs computed from the hot store; a dimension row fills attributes the fact lacks and its unknown
 * fields become `*_attrs` JSON.
 */
import { InvariantError } from '../platform/errors.ts';
import type { DimDoc, DimRows, FactDoc } from './hot-store.ts';
import { dtOf } from './layout.ts';
import type { ArchiveRow } from './schema.ts';

const CUSTOMER_KNOWN = new Set(['_id', 'customer_id', 'segment', 'state', 'city']);
const PRODUCT_KNOWN = new Set(['_id', 'product_id', 'name', 'category']);
const PAYMENT_KNOWN = new Set(['_id', 'payment_id', 'order_id', 'method', 'status', 'processing_ms']);

function unknownFields(doc: DimDoc | undefined, known: Set<string>): Record<string, unknown> | null {
  if (!doc) return null;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(doc)) {
    if (known.has(k) || v === undefined) continue;
    out[k] = v;
    any = true;
  }
  return any ? out : null;
}

function str(...candidates: unknown[]): string | null {
  for (const c of candidates) if (typeof c === 'string') return c;
  return null;
}

function num(...candidates: unknown[]): number | null {
  for (const c of candidates) if (typeof c === 'number' && Number.isFinite(c)) return c;
  return null;
}

export function toArchiveRow(fact: FactDoc, dims: DimRows, batchId: string): ArchiveRow {
  const ts = fact.order_timestamp;
  if (!(ts instanceof Date) || Number.isNaN(ts.getTime())) throw new InvariantError(`order ${fact.order_id}: order_timestamp is not a date`);
  const iso = ts.toISOString();
  const customer = dims.customers.get(fact.customer_id);
  const product = dims.products.get(fact.product_id);
  const payment = dims.payments.get(fact.payment_id);
  const extra = fact.extra && Object.keys(fact.extra).length > 0 ? fact.extra : null;
  return {
    order_id: fact.order_id,
    order_timestamp: ts,
    quantity: fact.quantity,
    unit_price: fact.unit_price,
    shipping_cost: fact.shipping_cost,
    tax_amount: fact.tax_amount,
    total_amount: fact.total_amount,
    order_status: fact.order_status,
    customer_id: fact.customer_id,
    product_id: fact.product_id,
    payment_id: fact.payment_id,
    segment: str(fact.segment, customer?.segment),
    state: str(fact.state, customer?.state),
    city: str(fact.city, customer?.city),
    payment_method: str(fact.payment_method, payment?.method),
    payment_status: str(fact.payment_status, payment?.status),
    processing_ms: num(fact.processing_ms, payment?.processing_ms),
    product_name: str(fact.product_name, product?.name),
    product_category: str(fact.product_category, product?.category),
    date_key: fact.date_key ?? dtOf(ts),
    minute_key: fact.minute_key ?? iso.slice(0, 16),
    hour: fact.hour ?? ts.getUTCHours(),
    dow: fact.dow ?? ts.getUTCDay(),
    extra,
    content_hash: fact.content_hash ?? null,
    ingested_at: fact.ingested_at ?? null,
    customer_attrs: unknownFields(customer, CUSTOMER_KNOWN),
    product_attrs: unknownFields(product, PRODUCT_KNOWN),
    payment_attrs: unknownFields(payment, PAYMENT_KNOWN),
    batch_id: batchId,
  };
}

/** Rows grouped by partition (UTC date of order_timestamp), each group sorted by (order_timestamp, order_id). */
export function groupByDt(rows: readonly ArchiveRow[]): Map<string, ArchiveRow[]> {
  const groups = new Map<string, ArchiveRow[]>();
  for (const r of rows) {
    const dt = dtOf(r.order_timestamp);
    let g = groups.get(dt);
    if (!g) groups.set(dt, (g = []));
    g.push(r);
  }
  for (const g of groups.values()) g.sort((a, b) => a.order_timestamp.getTime() - b.order_timestamp.getTime() || (a.order_id < b.order_id ? -1 : a.order_id > b.order_id ? 1 : 0));
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
