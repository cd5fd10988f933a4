/**
 * One analytics row (ANALYTICS_COLUMNS) from each shape an accepted order comes in: an
 * `orders_fact` document (the hot store's scan) and the canonical event ingest puts on
 * `orders.accepted` (the incremental feed). Both read each column where the order contract puts
 * it, so the two paths give the same row for the same order (rows.test.ts checks it against
 * ingest's own buildFact). Money stays a JSON number here; the engine turns it into exact cents.
 */
import { eventValue, ORDER_FIELDS, timeAttributes, type OrderFieldSpec } from '../contract/order.ts';
import { ANALYTICS_COLUMNS, type AnalyticsFieldName } from './columns.ts';

/** Money as the JSON number (the engine makes exact cents of it), timestamps as epoch ms. */
export type AnalyticsValue = string | number | null;
export type AnalyticsRow = Record<AnalyticsFieldName, AnalyticsValue>;

type Obj = Record<string, unknown>;

const SPECS: readonly OrderFieldSpec[] = ANALYTICS_COLUMNS.map((c) => (ORDER_FIELDS as readonly OrderFieldSpec[]).find((f) => f.name === c.name)!);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A stored value as a row value: strings and numbers as they are, timestamps as epoch ms. */
function scalar(v: unknown): AnalyticsValue {
  if (typeof v === 'string' || typeof v === 'number') return v;
  return v instanceof Date ? v.getTime() : null;
}

/** The row of an `orders_fact` document; a fact without `date_key` (older versions) gets it from order_timestamp. */
export function rowFromFact(doc: Obj): AnalyticsRow {
  const row = {} as AnalyticsRow;
  for (const s of SPECS) row[s.name as AnalyticsFieldName] = scalar(doc[s.name]);
  if (row.date_key === null) {
    const ts = doc.order_timestamp;
    const ms = ts instanceof Date ? ts.getTime() : typeof ts === 'string' ? Date.parse(ts) : NaN;
    if (Number.isFinite(ms)) row.date_key = timeAttributes(ms, new Date(ms).toISOString()).date_key;
  }
  return row;
}

export type ParsedRow = { ok: true; row: AnalyticsRow } | { ok: false; error: string };

/**
 * The row of an accepted event (its canonical JSON text, as on `orders.accepted`). Ingest
 * validated it; a value that is not what the contract says is still refused here (never computed
 * with), with the reason.
 */
export function rowFromEventText(text: string): ParsedRow {
  let ev: unknown;
  try {
    ev = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  if (!isObj(ev)) return { ok: false, error: 'not a JSON object' };
  const row = {} as AnalyticsRow;
  for (const s of SPECS) {
    if (s.source === 'time') continue;
    const raw = eventValue(ev, s.event!);
    const v = s.kind === 'timestamp' && typeof raw === 'string' ? Date.parse(raw) : scalar(raw);
    if (v === null && !s.nullable) return { ok: false, error: `${s.event!.join('.')} is missing` };
    row[s.name as AnalyticsFieldName] = v;
  }
  const ts = ev.order_timestamp;
  const ms = typeof ts === 'string' ? Date.parse(ts) : NaN;
  if (!Number.isFinite(ms)) return { ok: false, error: 'order_timestamp is not a timestamp' };
  const time = timeAttributes(ms, ts as string);
  for (const s of SPECS) if (s.source === 'time') row[s.name as AnalyticsFieldName] = time[s.name as keyof typeof time];
  return { ok: true, row };
}
