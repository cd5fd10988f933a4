/**
 * The running flash sale and its own level of orders, for judging a demand drop that begins
 * during a sale (docs/alerts.md "Drops during a flash sale"). Pure; plain JSON in the detector
 * state.
 *
 * A sale is known only from what the events carry: orders tagged with a `campaign`. A campaign is
 * RUNNING while its tagged orders keep arriving (one within `saleGateS` seconds). While it runs,
 * the seconds since its first tagged order are learned into a reference level (all orders per
 * second, exponentially decayed, half-life `saleRefHalfLifeS`), 60 s behind the evaluated second,
 * so the reference never overlaps the 60 s window it is compared with; it is frozen while a drop
 * alert is open (the drop must not become the sale's level). Untagged orders alone are no
 * reference: a sale brings the whole shop traffic (in the generator, half of a sale's orders are
 * for other products, so untagged orders run at 1-2.5x the normal level during a sale).
 *
 * When the sale ends its tagged orders stop: after `saleGateS` seconds the sale no longer runs and
 * its level is forgotten. Until then the 60 s window holds at least (60 − saleGateS)/60 of sale
 * seconds, above the drop ratio: the end of a sale is not a drop. While the 60 s window still
 * holds orders of a sale that ended (`tail`), a drop alert does not count the second as normal.
 */
import type { DetectorParams } from './params.ts';

export interface SaleTracker {
  /** Campaigns seen recently: first and last epoch second with a tagged order. */
  seen: Record<string, { first: number; last: number }>;
  /** The reference of the running sale: decayed orders and seconds, and raw seconds learned. */
  ref: { campaign: string; first: number; orders: number; secs: number; n: number } | null;
}

/** What the demand detector reads of the sale at an evaluated second. */
export interface SaleView {
  /** The running campaign with a ready reference, or null. */
  ready: { campaign: string; orders: number; secs: number } | null;
  /** The 60 s window holds orders of a sale that is no longer running. */
  tail: boolean;
}

const WINDOW_S = 60;
const FORGET_S = 3_600;

export const createSaleTracker = (): SaleTracker => ({ seen: {}, ref: null });

/**
 * Evaluated second `sec`: `campaigns` are the tagged orders of that second, `ordersAt(x)` the
 * orders of an earlier second (still bucketed), `frozen` whether a drop alert is open.
 */
export function stepSale(t: SaleTracker, sec: number, campaigns: Readonly<Record<string, number>> | undefined, ordersAt: (x: number) => number, frozen: boolean, p: DetectorParams['demand']): SaleView {
  for (const [name, n] of Object.entries(campaigns ?? {})) {
    if (n <= 0) continue;
    const cur = t.seen[name];
    if (cur === undefined) t.seen[name] = { first: sec, last: sec };
    else cur.last = sec;
  }
  let active: string | null = null;
  let tail = false;
  for (const name of Object.keys(t.seen).sort()) {
    const c = t.seen[name]!;
    if (c.last < sec - FORGET_S) {
      delete t.seen[name];
      continue;
    }
    if (c.last >= sec - p.saleGateS) {
      if (active === null || c.last > t.seen[active]!.last) active = name;
    } else if (c.last > sec - WINDOW_S) tail = true;
  }
  if (active === null) {
    t.ref = null;
    return { ready: null, tail };
  }
  const first = t.seen[active]!.first;
  if (t.ref === null || t.ref.campaign !== active) t.ref = { campaign: active, first, orders: 0, secs: 0, n: 0 };
  const r = t.ref;
  const learnSec = sec - WINDOW_S;
  if (!frozen && learnSec >= r.first) {
    const keep = Math.pow(0.5, 1 / p.saleRefHalfLifeS);
    r.orders = r.orders * keep + ordersAt(learnSec);
    r.secs = r.secs * keep + 1;
    r.n++;
  }
  return { ready: r.n >= p.saleRefMinS ? { campaign: r.campaign, orders: r.orders, secs: r.secs } : null, tail };
}
