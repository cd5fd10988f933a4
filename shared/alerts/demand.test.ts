import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from './params.ts';
import { evaluateDemand, type DemandInputs } from './demand.ts';
import type { SaleView } from './sale.ts';

const END = Date.parse('2026-11-03T09:01:00Z');

/** Normal level 200/min; a sale running at 500/min (reference: 120 s at 500/min). */
function inputs(n60: number, sale: SaleView): DemandInputs {
  return {
    orders: { 60: n60, 300: n60 * 5 },
    expectedPerMinute: () => ({ low: 200, high: 200, source: 'seasonal+recent' }),
    campaigns: () => ({ 'flash-sale-33': Math.round(n60 / 2) }),
    sale,
  };
}
const running: SaleView = { ready: { campaign: 'flash-sale-33', orders: 1_000, secs: 120 }, tail: false };
const drop = (n60: number, sale: SaleView) => evaluateDemand(inputs(n60, sale), END, DEFAULT_PARAMS).find((v) => v.key === 'demand_drop')!;

describe('drops during a flash sale', () => {
  it('a sale halved is a drop against the sale level, though still above the normal level', () => {
    const v = drop(250, running);
    expect(v.finding).toMatchObject({ subject: { scope: 'all' }, detail: { baseline: 'sale', sale: 'flash-sale-33', window_s: 60 } });
    expect(v.finding!.expected).toBeCloseTo(500, 6);
    expect(v.normal).toBe(false);
    // without the sale level: no finding, and "normal" (250 >= 0.85 x 200)
    const plain = drop(250, { ready: null, tail: false });
    expect(plain.finding).toBeNull();
    expect(plain.normal).toBe(true);
  });

  it('the sale at its level is normal; 0.8 of it is no drop (the end of a sale: ≥ 50 of 60 s still in it)', () => {
    expect(drop(500, running)).toMatchObject({ finding: null, normal: true });
    expect(drop(410, running).finding).toBeNull();
  });

  it('while the 60 s window still holds orders of a sale that ended, no second is normal', () => {
    expect(drop(300, { ready: null, tail: true }).normal).toBe(false);
  });
});
