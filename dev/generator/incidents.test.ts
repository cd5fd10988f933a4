import { describe, expect, it } from 'vitest';
import { createGenerator } from './generator.ts';
import { groundTruth, nextArrival, parseIncidentSpecs, type Incident } from './incidents.ts';
import { parseGenerateArgs } from './cli-args.ts';

const START = Date.parse('2026-11-02T00:00:00Z');
const MIN = 60_000;

describe('incident specs', () => {
  it('parse minutes after the start, with defaults, and say what is wrong', () => {
    expect(parseIncidentSpecs(['credit_card@30+10:0.5', 'paypal@5+1'], ['90+5', '100+2:0.3'], START)).toEqual([
      { kind: 'payment_outage', method: 'credit_card', startMs: START + 30 * MIN, endMs: START + 40 * MIN, failureRate: 0.5 },
      { kind: 'payment_outage', method: 'paypal', startMs: START + 5 * MIN, endMs: START + 6 * MIN, failureRate: 0.4 },
      { kind: 'demand_drop', startMs: START + 90 * MIN, endMs: START + 95 * MIN, factor: 0 },
      { kind: 'demand_drop', startMs: START + 100 * MIN, endMs: START + 102 * MIN, factor: 0.3 },
    ]);
    expect(() => parseIncidentSpecs(['cash@1+1'], [], START)).toThrow(/method must be one of/);
    expect(() => parseIncidentSpecs([], ['1+5', '3+5'], START)).toThrow(/overlap/);
    expect(() => parseIncidentSpecs([], ['1+5:1.5'], START)).toThrow(/factor/);
    const a = parseGenerateArgs(['--start', '2026-11-02T00:00:00Z', '--outage', 'crypto@10+5', '--drop', '20+5:0.5'], 0);
    expect(a.incidents.map((i) => i.kind)).toEqual(['payment_outage', 'demand_drop']);
  });
});

describe('nextArrival', () => {
  it('is now + e/lambda without drops, and integrates the intensity across a drop exactly', () => {
    expect(nextArrival([], 1000, 2, 0.5)).toBe(1004);
    const drop: Incident[] = [{ kind: 'demand_drop', startMs: 2000, endMs: 3000, factor: 0 }];
    expect(nextArrival(drop, 1000, 2, 0.001)).toBe(4000); // 1 unit before the drop, none in it, 1 after
    const half: Incident[] = [{ kind: 'demand_drop', startMs: 2000, endMs: 3000, factor: 0.5 }];
    expect(nextArrival(half, 2000, 0.25, 0.001)).toBe(2500);
  });
});

describe('generator with incidents', () => {
  const incidents: Incident[] = [
    { kind: 'payment_outage', method: 'credit_card', startMs: START + 10 * MIN, endMs: START + 20 * MIN, failureRate: 0.5 },
    { kind: 'demand_drop', startMs: START + 25 * MIN, endMs: START + 30 * MIN, factor: 0 },
  ];
  it('raises the failure rate of the method only during the outage, and stops orders during a drop to 0', () => {
    const g = createGenerator({ seed: 2, start: START, eventRate: 20, incidents });
    let during = [0, 0];
    let before = [0, 0];
    let inDrop = 0;
    while (g.timeMs < START + 35 * MIN) {
      const e = g.next();
      const t = Date.parse(e.order_timestamp);
      if (t >= START + 25 * MIN && t < START + 30 * MIN) inDrop++;
      if (e.payment.method !== 'credit_card') continue;
      const failed = e.payment.status === 'failed' ? 1 : 0;
      if (t >= START + 10 * MIN && t < START + 20 * MIN) during = [during[0]! + 1, during[1]! + failed];
      else if (t < START + 10 * MIN) before = [before[0]! + 1, before[1]! + failed];
    }
    expect(inDrop).toBe(0);
    expect(during[1]! / during[0]!).toBeGreaterThan(0.45);
    expect(before[1]! / before[0]!).toBeLessThan(0.05);
  });
  it('keeps a stream without incidents as it was, and gives incidents their own run id', () => {
    const plain = createGenerator({ seed: 2, start: START, eventRate: 20 });
    const none = createGenerator({ seed: 2, start: START, eventRate: 20, incidents: [] });
    const withInc = createGenerator({ seed: 2, start: START, eventRate: 20, incidents });
    expect(none.runId).toBe(plain.runId);
    expect(withInc.runId).not.toBe(plain.runId);
    for (let k = 0; k < 500; k++) expect(none.next()).toEqual(plain.next());
  });
  it('reports the ground truth: incidents and the flash sales seen, by onset', () => {
    const g = createGenerator({ seed: 2, start: START, eventRate: 20, incidents });
    while (g.timeMs < START + 3 * 60 * MIN) g.next();
    const truth = g.truth();
    expect(truth.filter((t) => t.kind !== 'flash_sale')).toEqual(groundTruth(incidents, []));
    expect(truth.some((t) => t.kind === 'flash_sale')).toBe(true);
    expect([...truth].sort((a, b) => a.onset.localeCompare(b.onset))).toEqual(truth);
  });
});
