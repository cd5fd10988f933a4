import { describe, expect, it } from 'vitest';
import { createMessageStream } from '../dev/generator/stream.ts';
import { checkCounts, emptyProduced, faultsLines, firstAtOrBelow, peakLag, resumedAt, tally, type Observed, type Sample } from './faults-check.ts';

function produced() {
  const stream = createMessageStream({ seed: 3, start: Date.UTC(2026, 11, 1), eventRate: 100, dupRate: 0.1, badRate: 0.1 });
  const p = emptyProduced();
  tally(p, Array.from({ length: 2000 }, () => stream.next()));
  return p;
}

/** What a pipeline that lost nothing and counted nothing twice holds for `p`. */
function exact(p: ReturnType<typeof produced>): Observed {
  return { topicMessages: p.messages, facts: p.orders, dlqByReason: { ...p.bad }, dlqRedelivered: 0, kpiOrders: p.orders, parked: 0 };
}

describe('produced counts', () => {
  it('counts each message once by the generator label: orders, duplicates, bad by DLQ reason', () => {
    const p = produced();
    const bad = Object.values(p.bad).reduce((a, b) => a + b, 0);
    expect(p.messages).toBe(2000);
    expect(p.orders + p.duplicates + bad).toBe(2000);
    expect(p.duplicates).toBeGreaterThan(100);
    expect(Object.keys(p.bad).length).toBeGreaterThan(3);
  });
});

describe('checkCounts', () => {
  it('passes when the stores hold exactly what was produced, and prints the equation', () => {
    const p = produced();
    const c = checkCounts(p, exact(p));
    expect(c).toMatchObject({ ok: true, problems: [] });
    const bad = Object.values(p.bad).reduce((a, b) => a + b, 0);
    expect(c.equation).toBe(`2000 = ${p.orders} accepted + ${p.duplicates} duplicates + ${bad} DLQ; KPI orders ${p.orders}`);
  });

  it('names each way of losing or double counting', () => {
    const p = produced();
    const [reason] = Object.keys(p.bad);
    const lost = checkCounts(p, { ...exact(p), facts: p.orders - 1 });
    expect(lost.ok).toBe(false);
    expect(lost.problems.join('\n')).toMatch(/facts .* ≠ distinct valid orders/);
    expect(lost.problems.join('\n')).toMatch(/≠ 2000 on the topic/);
    const twice = checkCounts(p, { ...exact(p), dlqByReason: { ...p.bad, [reason!]: p.bad[reason!]! + 1 } });
    expect(twice.problems[0]).toBe(`DLQ ${reason}: ${p.bad[reason!]! + 1} records, ${p.bad[reason!]} produced`);
    expect(checkCounts(p, { ...exact(p), kpiOrders: p.orders + 1 }).problems[0]).toMatch(/^KPI summary orders/);
    expect(checkCounts(p, { ...exact(p), topicMessages: 2001 }).problems[0]).toMatch(/producer retry copies/);
    expect(checkCounts(p, { ...exact(p), parked: 2 }).problems).toEqual(['2 batches parked']);
    expect(checkCounts(p, { ...exact(p), dlqByReason: { ...p.bad, surprise: 1 } }).problems[0]).toBe('DLQ surprise: 1 records, 0 produced');
  });

  it('does not count DLQ records written twice for one source offset (the reader dedupes them)', () => {
    const p = produced();
    expect(checkCounts(p, { ...exact(p), dlqRedelivered: 5 }).ok).toBe(true);
  });
});

describe('times from the samples', () => {
  const sample = (t: number, lag: Record<string, number>, delivered: Record<string, number>): Sample => ({ t, lag, delivered });
  const samples: Sample[] = [
    sample(0, { ingest: 5, aggregate: 0 }, { ingest: 10, aggregate: 10 }),
    sample(250, { ingest: 900, aggregate: 30 }, { ingest: 10, aggregate: 10 }),
    sample(500, { ingest: 400, aggregate: 10 }, { ingest: 10, aggregate: 12 }),
    sample(750, { ingest: 3 }, { ingest: 40, aggregate: 12 }),
    sample(1000, { ingest: 3, aggregate: 1 }, { ingest: 60, aggregate: 12 }),
    sample(1250, { ingest: 0, aggregate: 0 }, { ingest: 60, aggregate: 20 }),
  ];

  it('finds the first time every followed lag is at or below a threshold (a function without a lag series yet does not count as drained)', () => {
    expect(firstAtOrBelow(samples, 250, ['ingest', 'aggregate'], 5)).toBe(1000);
    expect(firstAtOrBelow(samples, 250, ['ingest'], 5)).toBe(750);
    expect(firstAtOrBelow(samples, 0, ['ingest', 'aggregate'], 0)).toBe(1250);
    expect(firstAtOrBelow(samples, 1300, ['ingest'], 0)).toBeUndefined();
  });

  it('takes the peak lag in a window', () => {
    expect(peakLag(samples, 0, 2000, ['ingest', 'aggregate'])).toBe(930);
    expect(peakLag(samples, 500, 2000, ['aggregate'])).toBe(10);
  });

  it('finds when a function delivered again after a moment', () => {
    expect(resumedAt(samples, 'ingest', 300)).toBe(750);
    expect(resumedAt(samples, 'aggregate', 500)).toBe(1250);
    expect(resumedAt(samples, 'aggregate', 1250)).toBeUndefined();
    expect(resumedAt(samples, 'cache-write', 0)).toBeUndefined();
  });
});

describe('faultsLines', () => {
  it('prints the burst, each fault and the load average', () => {
    const p = produced();
    const check = checkCounts(p, exact(p));
    const lines = faultsLines({
      quick: true,
      seed: 1,
      rate: 250,
      load_average: [[2.5, 3, 3.1], [4, 3.5, 3.2]],
      produced: p,
      burst: { rate: 250, burst_rate: 2500, burst_s: 15, achieved_rate: 249, achieved_burst_rate: 2480, steady_peak_lag: 40, peak_lag: 12_000, drain_ms: 21_500, drain_threshold: 63, zero_ms: 23_000, ingest_drain_rate: 812.4, check },
      faults: [{ fault: 'kill-ingest', downtime_ms: 1500, resumed_ms: 2100, caught_up_ms: 800, peak_lag: 700, check: { ...check, ok: false, problems: ['facts 1 ≠ distinct valid orders produced 2'] } }],
      skipped: { 'restart-kafka': 'no Java' },
      seconds: 130,
    });
    expect(lines[0]).toMatch(/^faults \(quick\): 2,000 events produced .* load average 2\.5\/3\.0\/3\.1 → 4\.0\/3\.5\/3\.2$/);
    expect(lines[1]).toContain('peak ingest lag 12,000 (steady 40); drained to ≤ 63 in 21.5 s after the burst, every lag 0 after 23.0 s; ingest drained at 812 ev/s; counts exact ✔');
    expect(lines[2]).toBe('faults kill-ingest at 250 ev/s: down 1.5 s, delivery resumed after 2.1 s, every lag 0 0.8 s after the load stopped, peak lag 700; counts ✘ facts 1 ≠ distinct valid orders produced 2');
    expect(lines[3]).toBe('faults restart-kafka: skipped (no Java)');
  });
});
