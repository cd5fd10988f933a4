/**
 * Fact and dimension documents built from a validated event, field by field as the order
 * contract declares them (shared/contract/order.ts). Unknown fields are copied with
 * Object.fromEntries (own data properties, never `obj[key] =` with a key from the event),
 * although the validator already refused prototype-pollution names.
 */
import {
  DIMENSIONS,
  EVENT_TOP_KEYS,
  FOLDED_DIMENSIONS,
  ORDER_FIELDS,
  dimensionFields,
  timeAttributes,
  type DimensionName,
  type FactDoc,
  type FoldedDimension,
  type OrderEvent,
  type OrderField,
  type OrderFieldSpec,
  type TimeAttributes,
} from '../contract/order.ts';
import type { DimRow } from './types.ts';

export { timeAttributes } from '../contract/order.ts';

const KNOWN_TOP: ReadonlySet<string> = new Set(EVENT_TOP_KEYS);
const FIELDS = ORDER_FIELDS as readonly OrderFieldSpec[];

/** How buildFact fills a field (precomputed once: this runs for every accepted event). */
const enum From {
  Top,
  Nested,
  Timestamp,
  Time,
  Extra,
  ContentHash,
  IngestedAt,
}
interface Step {
  name: string;
  from: From;
  /** Top-level key, or the nested object's name. */
  a: string;
  /** Key inside the nested object. */
  b: string;
}

const INGEST: Record<Extract<OrderField, { source: 'ingest' }>['name'], From> = { extra: From.Extra, content_hash: From.ContentHash, ingested_at: From.IngestedAt };

function stepOf(f: OrderFieldSpec): Step {
  const from =
    f.source === 'time' ? From.Time
    : f.source === 'ingest' ? INGEST[f.name as keyof typeof INGEST]
    : f.kind === 'timestamp' ? From.Timestamp // order_timestamp: the validated instant, not the text
    : f.event!.length === 1 ? From.Top
    : From.Nested;
  return { name: f.name, from, a: f.event?.[0] ?? '', b: f.event?.[1] ?? '' };
}

/** Written in table order, then the folded dimensions' attrs; fields left out when empty go last (where they always were). */
const ALWAYS: readonly Step[] = FIELDS.filter((f) => f.omitWhenEmpty !== true).map(stepOf);
const WHEN_PRESENT: readonly Step[] = FIELDS.filter((f) => f.omitWhenEmpty === true).map(stepOf);
/**
 * Each folded dimension (payment): its fact field, how many contract fields its nested object has
 * (all required by the validator), and the keys that are not unknown: those fields and, for a
 * dimension that records its order, `order_id` (the validator allows `payment.order_id` only equal
 * to the order's; the legacy row never kept it as an unknown field either).
 */
const FOLDED: readonly { dim: FoldedDimension; field: string; fields: number; known: ReadonlySet<string> }[] = (Object.keys(FOLDED_DIMENSIONS) as FoldedDimension[]).map((dim) => ({
  dim,
  field: FOLDED_DIMENSIONS[dim],
  fields: dimensionFields(dim).length,
  known: new Set([...dimensionFields(dim), ...(DIMENSIONS[dim].orderRef ? ['order_id'] : [])]),
}));
/** Every key of a fact in order: a copy of it gives each document the same shape before its values are set. */
const TEMPLATE: Readonly<Record<string, unknown>> = Object.fromEntries([...ALWAYS.map((s) => [s.name, null]), ...FOLDED.map((f) => [f.field, null])]);

/** Top-level fields outside the contract, or undefined when there are none. */
export function extraFields(ev: OrderEvent): Record<string, unknown> | undefined {
  return unknownOf(ev, KNOWN_TOP) ?? undefined;
}

function valueOf(s: Step, ev: OrderEvent, timestampMs: number, time: TimeAttributes, contentHash: string, ingestedAt: Date): unknown {
  switch (s.from) {
    case From.Top:
      return ev[s.a];
    case From.Nested:
      return (ev[s.a] as Record<string, unknown>)[s.b];
    case From.Timestamp:
      return new Date(timestampMs);
    case From.Time:
      return time[s.name as keyof TimeAttributes];
    case From.Extra:
      return extraFields(ev);
    case From.ContentHash:
      return contentHash;
    case From.IngestedAt:
      return ingestedAt;
  }
}

/**
 * The keys of an object (the event, or one of its nested objects) outside `known`, as an object
 * (every one, whatever its name: they are kept, not interpreted), or null when there are none.
 */
function unknownOf(obj: Readonly<Record<string, unknown>>, known: ReadonlySet<string>): Record<string, unknown> | null {
  let out: [string, unknown][] | undefined;
  for (const k of Object.keys(obj)) {
    if (known.has(k)) continue;
    (out ??= []).push([k, obj[k]]);
  }
  return out === undefined ? null : Object.fromEntries(out);
}

export function buildFact(ev: OrderEvent, timestampMs: number, contentHash: string, ingestedAt: Date): FactDoc {
  const time = timeAttributes(timestampMs, ev.order_timestamp);
  const doc: Record<string, unknown> = { ...TEMPLATE };
  for (let i = 0; i < ALWAYS.length; i++) {
    const s = ALWAYS[i]!;
    doc[s.name] = valueOf(s, ev, timestampMs, time, contentHash, ingestedAt);
  }
  for (let i = 0; i < FOLDED.length; i++) {
    const f = FOLDED[i]!;
    const obj = ev[f.dim] as Record<string, unknown>;
    doc[f.field] = onlyKnown(obj, f.fields) ? null : unknownOf(obj, f.known);
  }
  for (const s of WHEN_PRESENT) {
    const v = valueOf(s, ev, timestampMs, time, contentHash, ingestedAt);
    if (v !== undefined) doc[s.name] = v;
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

/**
 * The `payments_dim` row ingest wrote before payments were folded into the fact (it writes none
 * now): for tests and benchmarks of a legacy store, which archive-move still reads.
 */
export function legacyPaymentRow(ev: OrderEvent): DimRow {
  return dimensionRow(ev, 'payment');
}
