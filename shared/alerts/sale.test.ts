import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from './params.ts';
import { createSaleTracker, stepSale, type SaleView } from './sale.ts';

const D = DEFAULT_PARAMS.demand;

/** Drives the tracker over seconds [from, to): `orders(s)` orders per second, `tagged(s)` of them tagged `sale-1`. */
function run(t: ReturnType<typeof createSaleTracker>, from: number, to: number, orders: (s: number) => number, tagged: (s: number) => number, frozen = false): SaleView[] {
  const views: SaleView[] = [];
  for (let s = from; s < to; s++) {
    const k = tagged(s);
    views.push(stepSale(t, s, k > 0 ? { 'sale-1': k } : undefined, orders, frozen, D));
  }
  return views;
}

describe('the running flash sale and its level', () => {
  it('learns the sale level 60 s behind, ready after saleRefMinS seconds of the sale', () => {
    const t = createSaleTracker();
    const views = run(t, 0, 200, () => 6, (s) => (s >= 10 ? 3 : 0));
    // seconds 10..69: the reference would overlap the window; ready once 30 sale seconds are learned
    expect(views[69]!.ready).toBeNull();
    expect(views[70 + D.saleRefMinS - 2]!.ready).toBeNull();
    const r = views[70 + D.saleRefMinS - 1]!.ready!;
    expect(r.campaign).toBe('sale-1');
    expect(r.orders / r.secs).toBeCloseTo(6, 6);
  });

  it('forgets the sale saleGateS seconds after its last tagged order, and reports the tail while the 60 s window holds it', () => {
    const t = createSaleTracker();
    const views = run(t, 0, 300, () => 6, (s) => (s < 200 ? 3 : 0));
    expect(views[199 + D.saleGateS]!.ready).not.toBeNull();
    expect(views[200 + D.saleGateS]!.ready).toBeNull();
    expect(views[200 + D.saleGateS]!.tail).toBe(true);
    expect(views[259]!.tail).toBe(false);
    expect(t.ref).toBeNull();
  });

  it('is frozen while a drop alert is open: the drop does not become the sale level', () => {
    const t = createSaleTracker();
    run(t, 0, 150, () => 6, () => 3);
    const before = { ...t.ref! };
    run(t, 150, 250, () => 2, () => 1, true);
    expect(t.ref).toEqual(before);
  });

  it('is plain JSON: a restored tracker continues identically', () => {
    const a = createSaleTracker();
    run(a, 0, 120, (s) => 4 + (s % 3), () => 2);
    const b = JSON.parse(JSON.stringify(a)) as typeof a;
    expect(run(b, 120, 200, (s) => 4 + (s % 3), () => 2)).toEqual(run(a, 120, 200, (s) => 4 + (s % 3), () => 2));
  });
});
