import { describe, expect, it } from 'vitest';
import { scoreboard, scoreboardTable } from './scoreboard.ts';
import type { BenchResults } from './summary.ts';

const latency = (rate: number, p95: number, sustained = true) => ({ rate, events: rate * 10, achieved_rate: rate, p50_ms: p95 / 2, p95_ms: p95, p99_ms: p95 * 1.2, max_ms: p95 * 2, tail_ms: 100, sustained });

const results = {
  at: '2026-12-02T00:00:00.000Z',
  ingest: {
    ingest: { events_per_s: 9000, cpu_us_per_event: 25 },
    raw_insert_many: { events_per_s: 10000 },
    raw_same_writes: { events_per_s: 9500, documents_per_event: 2.5, concurrency: 4 },
    ratio_ingest_to_raw_insert_many: 0.9,
    targets: { ratio: 0.8, cpu_us_per_event: 20 },
  },
  peer: {
    ours: { events_per_s: 9000 },
    peer_fastest: { docs_per_s: 8000 },
    peer_default: { docs_per_s: 16.6 },
    ratios: { ours_to_peer_fastest: 1.125, ours_to_peer_default: 542 },
    target: { ours_to_peer_fastest: 1, met: true },
  },
  kpi: {
    latency: [latency(1000, 300), latency(5000, 1200)],
    highest_sustained: latency(5000, 1200),
    read_ceiling: { ours_requests_per_s: 30000, bare_requests_per_s: 40000, ratio: 0.75, ok: false },
    read_open_loop: [
      { server: 'ours', rate: 2000, connections: 100, p99_ms: 4, ok: true },
      { server: 'bare', rate: 2000, connections: 100, p99_ms: 2, ok: true },
    ],
    targets: { p95_ms: 1000, read_p99_ms: 5, read_ratio: 0.8 },
  },
} as unknown as BenchResults;

describe('scoreboard', () => {
  const rows = scoreboard(results);
  const row = (prefix: string) => rows.find((r) => r.stage.startsWith(prefix));

  it('compares each stage with its peer or ceiling and marks the target', () => {
    expect(row('ingest vs raw')).toMatchObject({ ours: '9,000 ev/s', reference: '10,000 docs/s', ratio: 0.9, met: true });
    expect(row('ingest function CPU')).toMatchObject({ ours: '25.0 µs', target: '≤ 20 µs', met: false });
    expect(row('ingest vs Kafka Connect MongoDB sink (fastest)')).toMatchObject({ ratio: 1.125, met: true });
    expect(row('dashboard /api/kpis/summary vs bare')).toMatchObject({ ratio: 0.75, met: false });
    expect(row('dashboard p99 at a fixed 2,000')).toMatchObject({ ours: '4.00 ms', reference: '2.00 ms (bare)', ratio: 2, met: true });
  });
  it('judges freshness at 5,000 ev/s, and says when that rate was not run', () => {
    expect(row('event → dashboard p95 at 5,000')).toMatchObject({ ours: '1,200 ms', met: false });
    const only1000 = scoreboard({ ...results, kpi: { ...results.kpi!, latency: [latency(1000, 300)], highest_sustained: latency(1000, 300) } });
    expect(only1000.find((r) => r.stage.startsWith('event →'))).toMatchObject({ stage: 'event → dashboard p95 at 1,000 ev/s (5,000 not run)', met: false });
  });
  it("shows the store's bound on the ingest ratio when the run measured ingest's own writes", () => {
    expect(rows.some((r) => r.stage.startsWith("ingest's own writes"))).toBe(false);
    const withBound = scoreboard({ ...results, ingest: { ...results.ingest!, raw_same_writes: { events_per_s: 7400, documents_per_event: 2.47, concurrency: 4, by_concurrency: {} }, store_bound_ratio: 0.74 } });
    expect(withBound.find((r) => r.stage.startsWith("ingest's own writes"))).toMatchObject({ ours: '7,400 ev/s', reference: '10,000 docs/s', ratio: 0.74, target: 'report' });
    expect(withBound.find((r) => r.stage.startsWith("ingest's own writes"))!.stage).toContain('2.47 docs/event');
  });
  it('compares ingest with the documents it writes, written raw, when the run measured them at both concurrencies', () => {
    expect(rows.some((r) => r.stage.startsWith('ingest vs the documents ingest writes'))).toBe(false);
    const same = { events_per_s: 10000, documents_per_event: 2.47, concurrency: 4, by_concurrency: { '1': 9000, '4': 10000 } };
    const r = scoreboard({ ...results, ingest: { ...results.ingest!, raw_same_writes: same, ratio_ingest_to_same_writes: 0.9 } });
    expect(r.find((x) => x.stage.startsWith('ingest vs the documents ingest writes'))).toMatchObject({ ours: '9,000 ev/s', reference: '10,000 ev/s', ratio: 0.9, target: '≥ 0.8×', met: true });
  });
  it('prefers the alternating rounds of the store-bound part, showing the median round', () => {
    const rnd = (ratio: number) => ({ first: 'raw' as const, raw_docs_per_s: 10000, same_events_per_s: ratio * 10000, ratio, loadavg_1m: 1 });
    const storeBound = { events: 20000, batch: 2000, documents_per_event: 2.8, rounds: [rnd(0.9), rnd(0.6), rnd(0.7)], median_ratio: 0.7, min_ratio: 0.6, max_ratio: 0.9, target_ratio: 0.8, store: 's', command: 'c' };
    const both = scoreboard({ ...results, storeBound, ingest: { ...results.ingest!, raw_same_writes: { events_per_s: 7400, documents_per_event: 2.47, concurrency: 4, by_concurrency: {} }, store_bound_ratio: 0.74 } });
    const bound = both.filter((r) => r.stage.startsWith("ingest's own writes"));
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatchObject({ ours: '7,000 ev/s', reference: '10,000 docs/s', ratio: 0.7 });
    expect(bound[0]!.stage).toContain('median of 3 alternating rounds (0.60–0.90)');
  });
  it('puts the CPU floor beside the function CPU and judges the floor against the same target', () => {
    const ingestFloor = { events: 20000, rounds: 3, median_cpu_us_per_event: { store: 12.8, producer: 4, pure: 8.1 }, floor_cpu_us_per_event: 24.9 } as unknown as NonNullable<BenchResults['ingestFloor']>;
    const r = scoreboard({ ...results, ingestFloor });
    expect(r.find((x) => x.stage === 'ingest function CPU per event')).toMatchObject({ ours: '25.0 µs', reference: '24.9 µs (floor)', met: false });
    expect(r.find((x) => x.stage.startsWith('ingest CPU floor'))).toMatchObject({ ours: '24.9 µs', target: '≤ 20 µs', met: false });
    expect(r.find((x) => x.stage.startsWith('ingest CPU floor'))!.stage).toContain('store client 12.8 + producer 4.0 + pure steps 8.1');
  });
  it("shows archive-move against the hot store's floor, and the floor against the target", () => {
    const floor = { orders: 50000, read_s: 6, delete_s: 8, delete_calls: 2, orders_per_s: 3571, target_ratio: 0.71, range_chunk: 32000, runs_orders_per_s: [3571] };
    const backend = { backend: 'local dir', orders: 50000, orders_per_s: 2000, ratio_to_floor: 0.56 };
    const archive = { hot_store_floor: floor, backends: [backend], targets: { orders_per_s: 5000 } } as unknown as NonNullable<BenchResults['archive']>;
    const r = scoreboard({ at: 'x', archive });
    expect(r[0]).toMatchObject({ stage: 'archive-move, local dir, 50,000 orders', ours: '2,000 orders/s', reference: '3,571 orders/s (hot-store floor)', ratio: 0.56, met: false });
    expect(r[1]).toMatchObject({ ours: '3,571 orders/s', target: '≥ 5,000 orders/s', met: false });
    expect(r[1]!.stage).toContain('read 50,000 orders once + 2 _id range deletes');
  });
  it('prints a Markdown table with one line per row', () => {
    const table = scoreboardTable(rows).split('\n');
    expect(table).toHaveLength(2 + rows.length);
    expect(table[2]).toBe('| ingest vs raw insertMany (same docs, same server) | 9,000 ev/s | 10,000 docs/s | 0.90 | ≥ 0.8× | ✔ |');
  });
  it('shows each replica count against 1 replica (scale-out reports, no target)', () => {
    const run = (replicas: number, eps: number) => ({ replicas, events_per_s: eps }) as NonNullable<BenchResults['replicas']>['runs'][number];
    const by = [{ replicas: 1, runs: 2, events_per_s: 200, ratio_to_1: 1 }, { replicas: 4, runs: 2, events_per_s: 300, ratio_to_1: 1.5 }];
    const r = scoreboard({ at: 'x', replicas: { events: 1, partitions: 8, produce_events_per_s: 1, runs: [run(1, 200), run(4, 300)], by_replicas: by, machine: { cpus: 2 }, command: 'c' } });
    expect(r).toEqual([{ stage: 'scale-out: 4× ingest + aggregate vs 1× (8 partitions, end to end, mean of 2)', ours: '300 ev/s', reference: '200 ev/s (1 replica)', ratio: 1.5, target: 'report', met: true }]);
  });
  it('judges alerts per volume band, and archive-move against its orders/s target', () => {
    const inc = (kind: string, perMin: number, delay: number | null, level = 0.3) => ({ kind, subject: {}, onset: 'x', minutes: 10, level, per_minute_before: perMin, alerts: delay === null ? 0 : 1, delay_s: delay, severity: null, window_s: null, resolved_after_end_s: null, sale_near_onset: null });
    const rows = scoreboard({
      at: 'x',
      alerts: { incidents: [inc('payment_outage', 900, 5), inc('payment_outage', 1900, 9), inc('payment_outage', 7, null), inc('demand_drop', 600, 45, 0.5)], normal: { days: 4, false_per_day_after: 0.25 } },
      archive: { backends: [{ backend: 'local file:///tmp/x', orders: 50000, orders_per_s: 5200, time_share: { total_s: 10, hot_store_s: 9 } }], targets: { orders_per_s: 5000 } },
    } as unknown as BenchResults);
    const row = (prefix: string) => rows.find((r) => r.stage.startsWith(prefix));
    expect(row('alert: payment outage ≥ 30 %, ≥ 100')).toMatchObject({ ours: '9 s', met: true });
    expect(row('alert: payment outage ≥ 30 %, 5–100')).toMatchObject({ ours: 'not detected (some)', met: false });
    expect(row('alert: demand drop')).toMatchObject({ ours: '45 s', met: true });
    expect(row('alert: false alerts')).toMatchObject({ ours: '0.25 per day', met: true });
    expect(row('archive-move, local dir')).toMatchObject({ ours: '5,200 orders/s, hot store 90 % of the time', met: true });
  });
  it('is empty when nothing comparable ran', () => {
    expect(scoreboard({ at: 'x' })).toEqual([]);
  });
});
