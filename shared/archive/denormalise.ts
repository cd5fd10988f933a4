/**
 * Fact + dimensions → archive row, joined in the application (FerretDB has no $lookup), field by
 * field as the order contract declares them (shared/contract/order.ts):
 *   order     the fact's value;
 *   snapshot  the fact's event-time value (so KPIs rebuilt from the archive equal KPIs computed
 *             from the hot store), else the dimension row's, else null;
 *   time      the fact's value, else derived from order_timestamp;
 *   ingest    the fact's value, else null (an empty `extra` is null too).
 * A dimension row's unknown fields become its `*_attrs` JSON. A folded dimension (payment,
 * shared/contract/order.ts FOLDED_DIMENSIONS) has no row: the fact's own `payment_attrs` is the
 * column; only a fact written before the fold (no such field) is joined to its legacy row, exactly
 * as before, so a legacy store archives to the same rows.
 */
import { DIMENSION_NAMES, DIMENSIONS, FOLDED_DIMENSIONS, ORDER_FIELDS, dimensionFields, hasFolded, timeAttributes, type DimensionName, type FoldedDimension, type OrderFieldSpec } from '../contract/order.ts';
import { InvariantError } from '../platform/errors.ts';
import type { DimDoc, DimRows, FactDoc } from './hot-store.ts';
import { dtOf } from './layout.ts';
import { ATTRS_COLUMNS, type ArchiveRow } from './schema.ts';

const FIELDS = ORDER_FIELDS as readonly OrderFieldSpec[];

/** Fields of a dimension row that are not unknown: `_id`, the contract's fields, the order_id of payments. */
function knownOf(d: DimensionName): ReadonlySet<string> {
  return new Set(['_id', ...dimensionFields(d), ...(DIMENSIONS[d].orderRef ? ['order_id'] : [])]);
}
const KNOWN: Record<DimensionName, ReadonlySet<string>> = { customer: knownOf('customer'), product: knownOf('product'), payment: knownOf('payment') };

function unknownFields(doc: DimDoc | undefined, known: ReadonlySet<string>): Record<string, unknown> | null {
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

/** The first candidate of the field's type (text, or a finite number), else null. */
function firstOfKind(kind: OrderFieldSpec['kind'], ...candidates: unknown[]): unknown {
  for (const c of candidates) if (kind === 'string' ? typeof c === 'string' : typeof c === 'number' && Number.isFinite(c)) return c;
  return null;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && Object.keys(v).length === 0;
}

function timeOf(ts: Date): Record<string, unknown> {
  return timeAttributes(ts.getTime(), ts.toISOString());
}

function isFolded(d: DimensionName): d is FoldedDimension {
  return d in FOLDED_DIMENSIONS;
}

/**
 * Whether archiving this fact needs its row of dimension `d`: always for customers and products;
 * for a folded dimension only when the fact predates the fold (it lacks the folded field).
 */
export function needsDimRow(fact: FactDoc, d: DimensionName): boolean {
  return !isFolded(d) || !hasFolded(fact, d);
}

/** The ids to load per dimension (DimRows' keys) for these facts, each once. */
export function dimIdsOf(facts: readonly FactDoc[]): { customers: string[]; products: string[]; payments: string[] } {
  const out = {} as Record<string, string[]>;
  for (const d of DIMENSION_NAMES) {
    const ids = new Set<string>();
    for (const f of facts) if (needsDimRow(f, d)) ids.add(String((f as unknown as Record<string, unknown>)[DIMENSIONS[d].key]));
    out[DIMENSIONS[d].rows] = [...ids];
  }
  return out as { customers: string[]; products: string[]; payments: string[] };
}

export function toArchiveRow(fact: FactDoc, dims: DimRows, batchId: string): ArchiveRow {
  const ts = fact.order_timestamp;
  if (!(ts instanceof Date) || Number.isNaN(ts.getTime())) throw new InvariantError(`order ${fact.order_id}: order_timestamp is not a date`);
  const stored = fact as unknown as Record<string, unknown>;
  const dimDocs = {} as Record<DimensionName, DimDoc | undefined>;
  // A fact carrying a folded dimension ignores any row of it (a legacy order with the same payment_id).
  for (const d of DIMENSION_NAMES) dimDocs[d] = needsDimRow(fact, d) ? dims[DIMENSIONS[d].rows].get(stored[DIMENSIONS[d].key] as string) : undefined;
  let time: Record<string, unknown> | undefined;
  const row: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = stored[f.name];
    switch (f.source) {
      case 'order':
        row[f.name] = v;
        break;
      case 'snapshot': {
        const [dim, attr] = f.event as readonly [DimensionName, string];
        row[f.name] = firstOfKind(f.kind, v, dimDocs[dim]?.[attr]);
        break;
      }
      case 'time':
        if (v !== undefined && v !== null) row[f.name] = v;
        else row[f.name] = (time ??= timeOf(ts))[f.name];
        break;
      case 'ingest':
        row[f.name] = v === undefined || (f.kind === 'json' && isEmptyObject(v)) ? null : v;
        break;
    }
  }
  for (const d of DIMENSION_NAMES) {
    const own = isFolded(d) ? stored[FOLDED_DIMENSIONS[d]] : undefined;
    row[ATTRS_COLUMNS[d]] = own === undefined ? unknownFields(dimDocs[d], KNOWN[d]) : own === null || isEmptyObject(own) ? null : own;
  }
  row.batch_id = batchId;
  return row as ArchiveRow;
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
