/**
 * Fact and dimension documents built from a validated event, field by field as the order
 * contract declares them (shared/contract/order.ts). Unknown fields are copied with
 * Object.fromEntries (own data properties, never `obj[key] =` with a key from the event),
 * although the validator already refused prototype-pollution names.
 */
import {
  DIMENSIONS,
  EVENT_TOP_KEYS,
  ORDER_FIELDS,
  dimensionFields,
  eventValue,
  timeAttributes,
  type DimensionName,
  type FactDoc,
  type OrderEvent,
  type OrderField,
  type OrderFieldSpec,
} from '../contract/order.ts';
import type { DimRow } from './types.ts';

export { timeAttributes } from '../contract/order.ts';

const KNOWN_TOP: ReadonlySet<string> = new Set(EVENT_TOP_KEYS);
const FIELDS = ORDER_FIELDS as readonly OrderFieldSpec[];
/** Written in table order; fields left out when empty go last (where they always were). */
const ALWAYS = FIELDS.filter((f) => f.omitWhenEmpty !== true);
const WHEN_PRESENT = FIELDS.filter((f) => f.omitWhenEmpty === true);

/** Top-level fields outside the contract, or undefined when there are none. */
export function extraFields(ev: OrderEvent): Record<string, unknown> | undefined {
  let extras: [string, unknown][] | undefined;
  for (const k of Object.keys(ev)) {
    if (KNOWN_TOP.has(k)) continue;
    (extras ??= []).push([k, ev[k]]);
  }
  return extras === undefined ? undefined : Object.fromEntries(extras);
}

export function buildFact(ev: OrderEvent, timestampMs: number, contentHash: string, ingestedAt: Date): FactDoc {
  const time: Record<string, unknown> = timeAttributes(timestampMs, ev.order_timestamp);
  const ingest: Record<Extract<OrderField, { source: 'ingest' }>['name'], unknown> = { extra: extraFields(ev), content_hash: contentHash, ingested_at: ingestedAt };
  const value = (f: OrderFieldSpec): unknown => {
    if (f.source === 'time') return time[f.name];
    if (f.source === 'ingest') return ingest[f.name as keyof typeof ingest];
    // order_timestamp: the validated instant, not the text
    return f.kind === 'timestamp' ? new Date(timestampMs) : eventValue(ev, f.event!);
  };
  const doc: Record<string, unknown> = {};
  for (const f of ALWAYS) doc[f.name] = value(f);
  for (const f of WHEN_PRESENT) {
    const v = value(f);
    if (v !== undefined) doc[f.name] = v;
  }
  return doc as FactDoc;
}

interface DimensionPlan {
  /** The natural key's name inside the event's nested object. */
  key: string;
  /** Every known field of the nested object, the key first. */
  fields: string[];
  orderRef: boolean;
}

function planOf(dim: DimensionName): DimensionPlan {
  const keyField = FIELDS.find((f) => f.name === DIMENSIONS[dim].key)!;
  const key = keyField.event![1]!;
  return { key, fields: [key, ...dimensionFields(dim).filter((k) => k !== key)], orderRef: DIMENSIONS[dim].orderRef };
}

const PLANS: Record<DimensionName, DimensionPlan> = { customer: planOf('customer'), product: planOf('product'), payment: planOf('payment') };

function onlyKnown(obj: object, n: number): boolean {
  let count = 0;
  for (const _ in obj) if (++count > n) return false;
  return count === n;
}

/**
 * The row of one dimension: `_id` = the natural key, the known fields (and the order_id for
 * payments). With unknown fields: `_id`, every field of the nested object, then the order_id.
 */
export function dimensionRow(ev: OrderEvent, dim: DimensionName): DimRow {
  const obj = ev[dim] as Record<string, unknown>;
  const plan = PLANS[dim];
  const id = obj[plan.key] as string;
  if (onlyKnown(obj, plan.fields.length)) {
    const row: DimRow = { _id: id };
    row[plan.key] = id;
    if (plan.orderRef) row.order_id = ev.order_id;
    for (let i = 1; i < plan.fields.length; i++) row[plan.fields[i]!] = obj[plan.fields[i]!];
    return row;
  }
  const entries: [string, unknown][] = [['_id', id]];
  for (const k of Object.keys(obj)) entries.push([k, obj[k]]);
  if (plan.orderRef) entries.push(['order_id', ev.order_id]);
  return Object.fromEntries(entries) as DimRow;
}

export function customerRow(ev: OrderEvent): DimRow {
  return dimensionRow(ev, 'customer');
}

export function productRow(ev: OrderEvent): DimRow {
  return dimensionRow(ev, 'product');
}

export function paymentRow(ev: OrderEvent): DimRow {
  return dimensionRow(ev, 'payment');
}
