/**
 * One parser for the three shapes an accepted order comes in (the validated event on
 * `orders.accepted`, an `orders_fact` document, an archived row): each KPI field (KPI_FIELDS) is
 * read where the order contract (shared/contract/order.ts) puts it, by its logical type.
 * The inputs were validated by ingest; these checks only make sure the KPI stage never computes
 * with a missing or mistyped field (an InvariantError-class bug upstream).
 */
import { toCents } from '../contract/money.ts';
import { DIMENSION_NAMES, ORDER_FIELDS, eventValue, type OrderFieldSpec } from '../contract/order.ts';
import { KPI_FIELDS, KPI_RENAMES, type KpiOrder } from './types.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Missing extends Error {}

/** Each field KPIs read: its contract spec and its name in KpiOrder. */
const READS: readonly { spec: OrderFieldSpec; as: string }[] = KPI_FIELDS.map((name) => ({
  spec: (ORDER_FIELDS as readonly OrderFieldSpec[]).find((f) => f.name === name)!,
  as: (KPI_RENAMES as Partial<Record<string, string>>)[name] ?? name,
}));

/** The field's value by its logical type; `label` names it in the error. */
function read(spec: OrderFieldSpec, v: unknown, label: string): string | number {
  switch (spec.kind) {
    case 'string':
      if (typeof v !== 'string' || v === '') throw new Missing(`${label} must be a non-empty string`);
      return v;
    case 'timestamp': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
      if (!Number.isFinite(ms)) throw new Missing(`${label} must be a timestamp`);
      return ms;
    }
    default: {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Missing(`${label} must be a finite number >= 0`);
      return spec.kind === 'money' ? toCents(v) : v;
    }
  }
}

function parse(check: () => void, get: (spec: OrderFieldSpec) => [unknown, string]): Parsed<KpiOrder> {
  try {
    check();
    const out: Record<string, string | number> = {};
    for (const r of READS) {
      const [v, label] = get(r.spec);
      out[r.as] = read(r.spec, v, label);
    }
    return { ok: true, value: out as KpiOrder };
  } catch (e) {
    if (e instanceof Missing) return { ok: false, error: e.message };
    throw e;
  }
}

/** From a contract event (docs/contracts.md §2), as ingest puts it on `orders.accepted`: fields at their event paths (`customer.segment`). */
export function orderFromEvent(ev: unknown): Parsed<KpiOrder> {
  return parse(
    () => {
      if (!isObj(ev)) throw new Missing('event must be a JSON object');
      for (const d of DIMENSION_NAMES) if (!isObj(ev[d])) throw new Missing(`${d} must be an object`);
    },
    (spec) => {
      const path = spec.event ?? [spec.name];
      return [eventValue(ev as Obj, path), path.join('.')];
    },
  );
}

/**
 * From an `orders_fact` document or an archived row: the flat fact with the event-time snapshot
 * of the dimensions. order_timestamp may be a Date, an ISO string or epoch ms.
 */
export function orderFromFact(doc: unknown): Parsed<KpiOrder> {
  return parse(
    () => {
      if (!isObj(doc)) throw new Missing('fact must be an object');
    },
    (spec) => [(doc as Obj)[spec.name], spec.name],
  );
}
