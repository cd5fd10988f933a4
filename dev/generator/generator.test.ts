import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent, PaymentMethod, Segment } from '../../shared/contract/types.ts';
import { encodeEvent } from './encode.ts';
import { createGenerator, type OrderGenerator } from './generator.ts';
import { US_STATES } from './geo.ts';
import { createDailyCurve } from './intensity.ts';
import { DEFAULT_MODEL, type ModelParams } from './model.ts';
import { contractViolations } from './testing/contract-check.ts';

const START = '2024-06-03T17:00:00.000Z';
const NO_FLASH: ModelParams = { ...DEFAULT_MODEL, flash: { ...DEFAULT_MODEL.flash, meanGapMinutes: 0 } };
const SEGS: Segment[] = ['premium', 'regular', 'budget'];
const METHODS: PaymentMethod[] = ['credit_card', 'debit_card', 'paypal', 'crypto'];
const cents = (x: number): number => Math.round(x * 100);

function take(g: OrderGenerator, n: number): OrderEvent[] {
  return Array.from({ length: n }, () => g.next());
}

describe('determinism', () => {
  it('same seed and options give byte-identical events', () => {
    const a = take(createGenerator({ seed: 42, start: START }), 5000).map(encodeEvent);
    const b = take(createGenerator({ seed: 42, start: START }), 5000).map(encodeEvent);
    expect(b).toEqual(a);
  });

  it('a different seed gives different ids and different content', () => {
    const a = take(createGenerator({ seed: 1, start: START }), 2000);
    const b = take(createGenerator({ seed: 2, start: START }), 2000);
    expect(new Set([...a, ...b].map((e) => e.order_id)).size).toBe(4000);
    const same = a.filter((e, i) => e.customer.customer_id === b[i]!.customer.customer_id && e.product.product_id === b[i]!.product.product_id).length;
    expect(same).toBeLessThan(100);
  });

  it('the run id changes with start or event rate, so different runs never reuse an order_id', () => {
    const ids = new Set([
      createGenerator({ seed: 1, start: START }).runId,
      createGenerator({ seed: 1, start: '2024-06-03T17:00:00.001Z' }).runId,
      createGenerator({ seed: 1, start: START, eventRate: 99 }).runId,
      createGenerator({ seed: 1, start: START, model: NO_FLASH }).runId,
    ]);
    expect(ids.size).toBe(4);
    const g = createGenerator({ seed: 7, start: START });
    expect(g.next().order_id).toBe(`o-7-${g.runId}-0`);
    expect(g.orderId(41)).toBe(`o-7-${g.runId}-41`);
  });

  it('rejects bad options', () => {
    expect(() => createGenerator({ seed: -1, start: START })).toThrow(RangeError);
    expect(() => createGenerator({ seed: 1, start: 'yesterday' })).toThrow(RangeError);
    expect(() => createGenerator({ seed: 1, start: START, eventRate: 0 })).toThrow(RangeError);
    expect(() => createGenerator({ seed: 1, start: START, model: { ...DEFAULT_MODEL, hourly: [1] } })).toThrow(/hourly/);
  });
});

describe('a 120,000-order sample (no flash sales)', () => {
  const N = 120_000;
  let g: OrderGenerator;
  let events: OrderEvent[];
  beforeAll(() => {
    g = createGenerator({ seed: 2024, start: START, eventRate: 500, model: NO_FLASH });
    events = take(g, N);
  });

  it('every event passes the contract, and totals are exact to the cent', () => {
    let bad = 0;
    let inexact = 0;
    let taxOff = 0;
    const taxRate = new Map(US_STATES.map((s) => [s.code, s.taxRate]));
    for (const e of events) {
      if (contractViolations(encodeEvent(e)).length > 0) bad++;
      const sub = e.quantity * cents(e.unit_price);
      if (cents(e.total_amount) !== sub + cents(e.shipping_cost) + cents(e.tax_amount)) inexact++;
      if (cents(e.tax_amount) !== Math.round(sub * taxRate.get(e.customer.state)!)) taxOff++;
    }
    expect(contractViolations(encodeEvent(events[0]!))).toEqual([]);
    expect(bad).toBe(0);
    expect(inexact).toBe(0);
    expect(taxOff).toBe(0);
  });

  it('timestamps are ISO-8601 UTC with milliseconds, start at `start` and never go back', () => {
    expect(events[0]!.order_timestamp).toBe(START);
    let back = 0;
    let badFormat = 0;
    for (let i = 0; i < N; i++) {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(events[i]!.order_timestamp)) badFormat++;
      if (i > 0 && events[i]!.order_timestamp < events[i - 1]!.order_timestamp) back++;
    }
    expect(badFormat).toBe(0);
    expect(back).toBe(0);
    // Mean rate over the sample matches eventRate x the daily curve (averaged over the span).
    const t0 = Date.parse(START);
    const t1 = Date.parse(events[N - 1]!.order_timestamp);
    const curve = createDailyCurve(NO_FLASH);
    let area = 0;
    for (let t = t0; t < t1; t += 1000) area += curve(t) * Math.min(1, (t1 - t) / 1000);
    expect(Math.abs(N / (500 * area) - 1)).toBeLessThan(0.02);
  });

  it('a customer_id always carries the same segment, state and city', () => {
    const seen = new Map<string, string>();
    let changed = 0;
    for (const e of events) {
      const c = e.customer;
      const v = `${c.segment}|${c.state}|${c.city}`;
      const prev = seen.get(c.customer_id);
      if (prev !== undefined && prev !== v) changed++;
      seen.set(c.customer_id, v);
    }
    expect(changed).toBe(0);
    // Across seeds too: the world is fixed.
    for (const e of take(createGenerator({ seed: 99, start: START }), 5000)) {
      const prev = seen.get(e.customer.customer_id);
      if (prev !== undefined && prev !== `${e.customer.segment}|${e.customer.state}|${e.customer.city}`) changed++;
    }
    expect(changed).toBe(0);
    // The Zipf tail keeps bringing new customers.
    expect(seen.size).toBeGreaterThan(20_000);
  });

  it('customer popularity follows Zipf: the top 1% of customers get their expected share', () => {
    const w = g.world;
    const top = new Set<string>();
    let expected = 0;
    for (let r = 0; r < 1000; r++) {
      top.add(w.customers.get(w.customers.byRank(r)).customer_id);
      expected += w.customerRanks.prob(r);
    }
    const observed = events.filter((e) => top.has(e.customer.customer_id)).length / N;
    expect(expected).toBeGreaterThan(0.2);
    expect(Math.abs(observed - expected)).toBeLessThan(0.01);
  });

  it('segment shares of orders and product head share match the model', () => {
    const w = g.world;
    const segShare: Record<Segment, number> = { premium: 0, regular: 0, budget: 0 };
    for (let r = 0; r < w.customers.size; r++) segShare[w.customers.get(w.customers.byRank(r)).segment] += w.customerRanks.prob(r);
    const segCount: Record<Segment, number> = { premium: 0, regular: 0, budget: 0 };
    for (const e of events) segCount[e.customer.segment]++;
    for (const s of SEGS) expect(Math.abs(segCount[s] / N - segShare[s])).toBeLessThan(0.012);

    const topProducts: number[] = [];
    for (let i = 0; i < w.catalogue.length; i++) if (w.productRank[i]! < 10) topProducts.push(i);
    let expectedTop = 0;
    for (const s of SEGS) for (const p of topProducts) expectedTop += (segCount[s] / N) * w.productChoice[s].prob(p);
    const topIds = new Set(topProducts.map((i) => w.catalogue[i]!.product_id));
    const observedTop = events.filter((e) => topIds.has(e.product.product_id)).length / N;
    expect(expectedTop).toBeGreaterThan(0.15);
    expect(Math.abs(observedTop - expectedTop)).toBeLessThan(0.01);
  });

  it('segments differ in basket: quantity mean 1/p, price affinity, shipping rules, payment mix', () => {
    const by = (s: Segment): OrderEvent[] => events.filter((e) => e.customer.segment === s);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const price: Record<string, number> = {};
    for (const s of SEGS) {
      const es = by(s);
      const q = mean(es.map((e) => e.quantity));
      expect(Math.abs(q * DEFAULT_MODEL.segments[s].quantityP - 1)).toBeLessThan(0.03);
      price[s] = mean(es.map((e) => e.unit_price));
      const credit = es.filter((e) => e.payment.method === 'credit_card').length / es.length;
      const mix = DEFAULT_MODEL.segments[s].paymentMix;
      const want = mix.credit_card / (mix.credit_card + mix.debit_card + mix.paypal + mix.crypto);
      expect(Math.abs(credit - want)).toBeLessThan(0.02);
    }
    expect(price.premium!).toBeGreaterThan(price.regular! * 1.1);
    expect(price.regular!).toBeGreaterThan(price.budget! * 1.1);
    expect(by('premium').every((e) => e.shipping_cost === 0)).toBe(true);
    expect(by('budget').every((e) => e.shipping_cost > 0)).toBe(true);
    const regular = by('regular');
    expect(regular.every((e) => (e.quantity * cents(e.unit_price) >= 5000) === (e.shipping_cost === 0))).toBe(true);
  });

  it('payment failure rates and processing times match each method, and status follows payment', () => {
    for (const m of METHODS) {
      const es = events.filter((e) => e.payment.method === m);
      const p = DEFAULT_MODEL.payments[m];
      const failed = es.filter((e) => e.payment.status === 'failed').length / es.length;
      const sigma = Math.sqrt((p.failureRate * (1 - p.failureRate)) / es.length);
      expect(es.length).toBeGreaterThan(3000);
      expect(Math.abs(failed - p.failureRate)).toBeLessThan(Math.max(0.003, 4 * sigma));
      const ms = es.map((e) => e.payment.processing_ms).sort((a, b) => a - b);
      expect(Math.abs(ms[Math.floor(ms.length / 2)]! / p.medianMs - 1)).toBeLessThan(0.06);
      expect(ms.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }
    const cancelledShare = (status: 'success' | 'failed'): number => {
      const es = events.filter((e) => e.payment.status === status);
      return es.filter((e) => e.order_status === 'cancelled').length / es.length;
    };
    expect(Math.abs(cancelledShare('failed') - 0.7)).toBeLessThan(0.04);
    expect(Math.abs(cancelledShare('success') - 0.03)).toBeLessThan(0.005);
    expect(events.some((e) => e.payment.status === 'failed' && e.order_status === 'completed')).toBe(false);
  });
});

describe('arrival intensity over a day', () => {
  it('peak hours see far more orders than the night, close to the configured curve', () => {
    // Monday 00:00 local (UTC-5) to Tuesday 00:00, 2 orders/s on average.
    const start = Date.parse('2024-06-03T05:00:00Z');
    const g = createGenerator({ seed: 5, start, eventRate: 2, model: NO_FLASH });
    const perHour = new Array<number>(24).fill(0);
    for (;;) {
      const e = g.next();
      const t = Date.parse(e.order_timestamp);
      if (t >= start + 86_400_000) break;
      perHour[Math.floor((t - start) / 3_600_000)]! += 1;
    }
    const curve = createDailyCurve(NO_FLASH);
    for (let h = 0; h < 24; h++) {
      let expected = 0;
      for (let s = 0; s < 3600; s += 10) expected += 2 * 10 * curve(start + h * 3_600_000 + s * 1000);
      expect(Math.abs(perHour[h]! / expected - 1)).toBeLessThan(0.12);
    }
    const night = perHour[2]! + perHour[3]! + perHour[4]!;
    const peak = perHour[19]! + perHour[20]! + perHour[21]!;
    expect(peak).toBeGreaterThan(5 * night);
  });
});

describe('flash sales', () => {
  it('multiply the intensity, concentrate orders on the sale products and discount them', () => {
    const start = Date.parse('2024-06-03T13:00:00Z');
    const g = createGenerator({ seed: 8, start, eventRate: 2 });
    const events = take(g, 150_000);
    const end = Date.parse(events[events.length - 1]!.order_timestamp);
    const sales = g.flashSales.filter((s) => s.endMs <= end);
    expect(sales.length).toBeGreaterThan(8);
    const curve = createDailyCurve(DEFAULT_MODEL);
    let inSale = 0;
    let onSaleProduct = 0;
    let expected = 0;
    let wrongCampaign = 0;
    let wrongPrice = 0;
    const catalogueById = new Map(g.world.catalogue.map((p) => [p.product_id, p]));
    const times = events.map((e) => Date.parse(e.order_timestamp));
    for (const s of sales) {
      for (let t = s.startMs; t < s.endMs; t += 1000) expected += 2 * s.multiplier * curve(t) * Math.min(1, (s.endMs - t) / 1000);
      const saleIds = new Set(s.products.map((i) => g.world.catalogue[i]!.product_id));
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const t = times[i]!;
        if (t < s.startMs || t >= s.endMs) continue;
        inSale++;
        const onSale = saleIds.has(e.product.product_id);
        if (onSale) onSaleProduct++;
        if ((e.campaign === s.campaign) !== onSale) wrongCampaign++;
        const list = catalogueById.get(e.product.product_id)!.listCents;
        if (onSale && cents(e.unit_price) !== Math.round(list * (1 - s.discount))) wrongPrice++;
        if (!onSale && cents(e.unit_price) !== list) wrongPrice++;
      }
    }
    expect(Math.abs(inSale / expected - 1)).toBeLessThan(0.05);
    expect(onSaleProduct / inSale).toBeGreaterThan(DEFAULT_MODEL.flash.saleShare - 0.02);
    expect(wrongCampaign).toBe(0);
    expect(wrongPrice).toBe(0);
    expect(events.filter((e) => e.campaign !== undefined).every((e) => contractViolations(encodeEvent(e)).length === 0)).toBe(true);
  });
});
