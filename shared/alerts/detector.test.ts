import { describe, expect, it } from 'vitest';
import { advance, createDetectorState, observe, partitionWatermark, tick, type DetectorState } from './detector.ts';
import { DEFAULT_PARAMS } from './params.ts';
import { drive } from './testing/drive.ts';
import type { AlertChange } from './alert.ts';
import { createGenerator } from '../../dev/generator/generator.ts';

const START = Date.parse('2026-11-02T00:00:00Z');
const MIN = 60_000;

const opened = (cs: readonly AlertChange[]): AlertChange[] => cs.filter((c) => c.type === 'opened');
/** Opened alerts that are not a surge naming a flash sale. */
const notSales = (cs: readonly AlertChange[]): AlertChange[] => opened(cs).filter((c) => !(c.alert.kind === 'demand_surge' && c.alert.subject.sale !== undefined));

describe('detectors over a seeded stream with injected incidents', () => {
  const incidents = [
    { kind: 'payment_outage' as const, method: 'paypal' as const, startMs: START + 60 * MIN, endMs: START + 70 * MIN, failureRate: 0.3 },
    { kind: 'demand_drop' as const, startMs: START + 90 * MIN, endMs: START + 95 * MIN, factor: 0 },
  ];
  const r = drive({ seed: 21, start: START, eventRate: 20, durationMs: 120 * MIN, incidents, partitions: 4, batch: 300 });

  it('raises exactly one alert of the right kind and subject per incident, soon after onset', () => {
    const alerts = notSales(r.changes).map((c) => c.alert);
    expect(alerts.map((a) => [a.kind, a.subject])).toEqual([
      ['payment_failure', { payment_method: 'paypal' }],
      ['demand_drop', { scope: 'all' }],
    ]);
    const [pay, drop] = alerts;
    expect(Date.parse(pay!.detected_at) - incidents[0]!.startMs).toBeLessThanOrEqual(10_000);
    expect(Date.parse(pay!.detected_at)).toBeGreaterThan(incidents[0]!.startMs);
    // orders stopped: seen through the cron tick (every 60 s, after 5 s without events)
    expect(Date.parse(drop!.detected_at) - incidents[1]!.startMs).toBeLessThanOrEqual(120_000);
    expect(pay!.id).toBe(`payment_failure:payment_method=paypal:${pay!.started_at}`);
  });

  it('resolves each after its incident ended, once', () => {
    for (const [i, inc] of incidents.entries()) {
      const id = notSales(r.changes)[i]!.alert.id;
      const resolved = r.changes.filter((c) => c.type === 'resolved' && c.alert.id === id);
      expect(resolved).toHaveLength(1);
      expect(Date.parse(resolved[0]!.alert.resolved_at!)).toBeGreaterThan(inc.endMs);
      expect(Date.parse(resolved[0]!.alert.resolved_at!)).toBeLessThan(inc.endMs + 10 * MIN);
    }
  });

  it('names the flash sale in a surge alert', () => {
    const sales = r.truth.filter((t) => t.kind === 'flash_sale').map((t) => t.subject.sale);
    const named = opened(r.changes).filter((c) => c.alert.kind === 'demand_surge').map((c) => c.alert.subject.sale);
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(sales).toContain(n);
  });
});

describe('a payment outage on a method with a few attempts per minute (the CUSUM)', () => {
  const start = Date.parse('2026-11-02T06:00:00Z');
  const outage = { kind: 'payment_outage' as const, method: 'crypto' as const, startMs: start + 90 * MIN, endMs: start + 110 * MIN, failureRate: 0.3 };
  let crypto = 0;
  const r = drive({ seed: 11, start, eventRate: 20, durationMs: 150 * MIN, incidents: [outage], partitions: 2, onSignal: (s) => void (s.method === 'crypto' && s.ts >= outage.startMs - 30 * MIN && s.ts < outage.startMs && crypto++) });
  const pay = r.changes.filter((c) => c.alert.kind === 'payment_failure');

  it('raises one alert, found by the CUSUM within minutes, and resolves it after the end', () => {
    expect(crypto / 30).toBeLessThan(15); // attempts per minute before onset: the windows cannot decide within minutes
    const o = opened(pay);
    expect(o.map((c) => c.alert.subject)).toEqual([{ payment_method: 'crypto' }]);
    expect(o[0]!.alert.detail?.test).toBe('cusum');
    const delay = Date.parse(o[0]!.alert.detected_at) - outage.startMs;
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(15 * MIN);
    const resolved = pay.filter((c) => c.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(Date.parse(resolved[0]!.alert.resolved_at!)).toBeGreaterThan(outage.endMs);
    expect(Date.parse(resolved[0]!.alert.resolved_at!)).toBeLessThan(outage.endMs + 15 * MIN);
  });

  it('the CUSUM state is saved with the detector state', () => {
    expect(r.state.cusum?.crypto).toBeDefined();
  });
});

describe('a demand drop that begins during a flash sale', () => {
  const seed = 17;
  const start = Date.parse('2026-11-02T06:00:00Z');
  // the sale comes from the generator's seeded schedule (incidents do not move it): find one of >= 7 minutes
  const g = createGenerator({ seed, start, eventRate: 10 });
  while (g.timeMs < start + 110 * MIN) g.next();
  const sale = g.flashSales.find((x) => x.startMs > start + 50 * MIN && x.endMs - x.startMs >= 7 * MIN)!;
  const drop = { kind: 'demand_drop' as const, startMs: Math.floor(sale.startMs + 150_000), endMs: Math.floor(sale.startMs + 150_000 + 8 * MIN), factor: 0.5 };
  const r = drive({ seed, start, eventRate: 10, durationMs: 130 * MIN, incidents: [drop], partitions: 4, batch: 200 });

  it('is found against the sale level within 60 s: one alert, resolved after the end', () => {
    const drops = r.changes.filter((c) => c.alert.kind === 'demand_drop');
    const o = opened(drops);
    expect(o).toHaveLength(1);
    expect(o[0]!.alert.subject).toEqual({ scope: 'all' });
    expect(o[0]!.alert.detail).toMatchObject({ baseline: 'sale', sale: sale.campaign });
    const delay = Date.parse(o[0]!.alert.detected_at) - drop.startMs;
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(60_000);
    const resolved = drops.filter((c) => c.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(Date.parse(resolved[0]!.alert.resolved_at!)).toBeGreaterThan(drop.endMs);
    expect(Date.parse(resolved[0]!.alert.resolved_at!)).toBeLessThan(drop.endMs + 5 * MIN);
  });

  it('still names the sale in its surge alert, and raises nothing else', () => {
    expect(opened(r.changes).some((c) => c.alert.kind === 'demand_surge' && c.alert.subject.sale === sale.campaign)).toBe(true);
    expect(notSales(r.changes).map((c) => c.alert.kind)).toEqual(['demand_drop']);
  });
});

describe('normal traffic', () => {
  it('several simulated hours of a normal seeded stream (flash sales aside) raise no alert', () => {
    const r = drive({ seed: 8, start: '2026-11-04T10:00:00Z', eventRate: 10, durationMs: 6 * 60 * MIN, partitions: 2 });
    expect(r.orders).toBeGreaterThan(100_000);
    expect(notSales(r.changes).map((c) => `${c.alert.kind} ${c.alert.detected_at}`)).toEqual([]);
  });
});

describe('replay and restart', () => {
  it('a state restored from its JSON (as stored in Redis) continues exactly as the uninterrupted one', () => {
    const incidents = [{ kind: 'payment_outage' as const, method: 'credit_card' as const, startMs: START + 40 * MIN, endMs: START + 45 * MIN, failureRate: 0.5 }];
    const whole = drive({ seed: 4, start: START, eventRate: 20, durationMs: 60 * MIN, incidents }, true);
    const st = createDetectorState();
    const changes: AlertChange[] = [];
    whole.deliveries!.forEach((d, i) => {
      const cur: DetectorState = i % 50 === 0 ? (JSON.parse(JSON.stringify(st)) as DetectorState) : st;
      for (const s of d.signals) observe(cur, d.partition, s);
      changes.push(...advance(cur));
      if (cur !== st) Object.assign(st, cur);
    });
    // ticks aside (none fire on a stream without gaps), the same alerts with the same ids and times
    expect(changes).toEqual(whole.changes);
    expect(opened(changes).map((c) => c.alert.kind)).toContain('payment_failure');
  });
});

describe('volume and event time', () => {
  it('3 failures in 3 attempts is never an alert, whatever the baseline', () => {
    const st = createDetectorState();
    st.pay.crypto = { a: 10_000, f: 300 };
    const t = START;
    for (let k = 0; k < 3; k++) observe(st, 'p/0', { ts: t + k * 100, method: 'crypto', failed: true, campaign: null });
    observe(st, 'p/0', { ts: t + 400_000, method: 'credit_card', failed: false, campaign: null });
    expect(advance(st).filter((c) => c.alert.kind === 'payment_failure')).toEqual([]);
  });

  it('the watermark waits for the slowest active partition, not for an idle one', () => {
    const st = createDetectorState();
    observe(st, 'p/0', { ts: START + 10_000, method: 'paypal', failed: false, campaign: null });
    observe(st, 'p/1', { ts: START + 4_000, method: 'paypal', failed: false, campaign: null });
    expect(partitionWatermark(st)).toBe(START + 4_000 - DEFAULT_PARAMS.latenessMs);
    observe(st, 'p/0', { ts: START + 4_000 + DEFAULT_PARAMS.idlePartitionMs + 1, method: 'paypal', failed: false, campaign: null });
    expect(partitionWatermark(st)).toBe(START + 4_000 + DEFAULT_PARAMS.idlePartitionMs + 1 - DEFAULT_PARAMS.latenessMs);
  });

  it('a partition whose events arrive out of order (batches interleaved by ingest) holds the watermark back by that disorder, which then decays', () => {
    const st = createDetectorState();
    const sig = (ts: number) => ({ ts, method: 'paypal', failed: false, campaign: null });
    observe(st, 'p/0', sig(START + 100_000));
    observe(st, 'p/0', sig(START + 20_000)); // 80 s behind its newest
    expect(partitionWatermark(st)).toBe(START + 20_000 - DEFAULT_PARAMS.latenessMs);
    observe(st, 'p/0', sig(START + 140_000)); // 40 s of progress: the allowance shrinks by a tenth of that
    expect(partitionWatermark(st)).toBe(START + 140_000 - 76_000 - DEFAULT_PARAMS.latenessMs);
  });

  it('a tick moves event time on without events; it never moves it back', () => {
    const st = createDetectorState();
    observe(st, 'p/0', { ts: START, method: 'paypal', failed: false, campaign: null });
    tick(st, START + 30_000);
    expect(st.watermark).toBe(START + 30_000 - DEFAULT_PARAMS.latenessMs);
    expect(st.evaluated).toBe(Math.floor((START + 29_000) / 1000) - 1);
    tick(st, START + 10_000);
    expect(st.watermark).toBe(START + 29_000);
  });
});
