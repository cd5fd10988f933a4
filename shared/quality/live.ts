/**
 * The live side of the quality check: the served KPI views (shared/kpi, docs/contracts.md §4) as
 * read in one round trip from Redis (ViewStore.readAllViews), parsed into the few views the batch
 * analytics also compute. A view never materialised reads as its empty value.
 */
import type { ViewStore } from '../kpi/store.ts';
import type { PaymentRow, StateRow, SummaryView, ViewName } from '../kpi/types.ts';
import { emptyViews } from '../kpi/views.ts';
import { InvariantError } from '../platform/errors.ts';

export interface LiveKpis {
  /** The served views' version (bumped on every write), null before the first. */
  version: number | null;
  /** summary.as_of: when the views were materialised. */
  as_of: string | null;
  summary: SummaryView;
  orders_by_state: StateRow[];
  payments: PaymentRow[];
}

function parse<T>(name: ViewName, raw: string | null, empty: T): T {
  if (raw === null) return empty;
  try {
    return JSON.parse(raw) as T;
  } catch (cause) {
    throw new InvariantError(`quality: the served ${name} view is not JSON`, { cause });
  }
}

export function parseLiveViews(read: Awaited<ReturnType<ViewStore['readAllViews']>>): LiveKpis {
  const empty = emptyViews();
  const summary = parse('summary', read.views.summary, empty.summary);
  return {
    version: read.version,
    as_of: summary.as_of,
    summary,
    orders_by_state: parse('orders_by_state', read.views.orders_by_state, empty.orders_by_state),
    payments: parse('payments', read.views.payments, empty.payments),
  };
}

export async function readLive(views: Pick<ViewStore, 'readAllViews'>): Promise<LiveKpis> {
  return parseLiveViews(await views.readAllViews());
}
