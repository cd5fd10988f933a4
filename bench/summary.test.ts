import { describe, expect, it } from 'vitest';
import { parseBenchArgs, peerLines, summarise } from './summary.ts';
import type { PeerBenchResult } from './peer.ts';

describe('parseBenchArgs', () => {
  it('runs every part by default', () => {
    expect(parseBenchArgs([])).toEqual({ parts: ['generator', 'ingest', 'store-bound', 'ingest-floor', 'peer', 'kpi', 'archive', 'analytics', 'kafka-client', 'faults', 'replicas', 'alerts'], quick: false, help: false });
  });
  it('selects parts and quick mode', () => {
    expect(parseBenchArgs(['--only', 'kpi,ingest', '--quick'])).toEqual({ parts: ['kpi', 'ingest'], quick: true, help: false });
    expect(parseBenchArgs(['--only', 'analytics', '--hot-cap', '100000'])).toEqual({ parts: ['analytics'], quick: false, hotCap: 100_000, help: false });
    expect(() => parseBenchArgs(['--hot-cap', '0'])).toThrow(/--hot-cap/);
    expect(parseBenchArgs(['--only', 'faults', '--quick', '--faults-rate', '400'])).toEqual({ parts: ['faults'], quick: true, faultsRate: 400, help: false });
  });
  it('rejects unknown parts and options', () => {
    expect(() => parseBenchArgs(['--only', 'spark'])).toThrow(/--only/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option/);
    expect(() => parseBenchArgs(['--only', 'kpi,spark'])).toThrow(/--only: unknown "spark"; choose from generator, ingest, store-bound, ingest-floor, peer, kpi, archive, analytics, kafka-client, faults, replicas/);
    expect(parseBenchArgs(['-h']).help).toBe(true);
  });
});

describe('summarise', () => {
  it('prints the ratio and latency lines from the results', () => {
    const text = summarise({
      at: '2026-11-24T00:00:00.000Z',
      kpi: {
        entry: 'pipeline',
        latency: [{ rate: 1000, events: 15000, achieved_rate: 998, p50_ms: 120, p95_ms: 340, p99_ms: 500, max_ms: 700, tail_ms: 200, sustained: true }],
        at_1000: undefined,
        highest_sustained: undefined,
        read: { tool: 'wrk', connections: 100, seconds: 10, requests_per_s: 20000, p50_ms: 1.5, p90_ms: 3, p99_ms: 4.25, errors: 0 },
        read_ceiling: { runs: [], ours_requests_per_s: 30000, bare_requests_per_s: 32000, ratio: 0.94, ok: true, response_bytes: { ours: 656, bare: 656 } },
        read_open_loop: [{ server: 'ours', rate: 2000, connections: 100, seconds: 10, requests: 20000, achieved_rate: 2000, p50_ms: 0.9, p99_ms: 7.5, max_ms: 20, sent_p99_ms: 6, errors: 0, ok: false }],
        read_load_average: { before: [1, 2, 3], after: [1, 2, 3] },
        targets: { p95_ms: 1000, read_p99_ms: 5, read_ratio: 0.8 },
      } as never,
    });
    expect(text).toContain('ours 30,000 req/s, bare 32,000 req/s → ratio 0.94 (target ≥ 0.8) ✔');
    expect(text).toContain('at a fixed 2,000 req/s over 100 connections: p50 0.90 ms, p99 7.50 ms (target ≤ 5 ms) ✘');
    expect(text).toContain('event→KPI at 1,000 ev/s (achieved 998): p50 120 ms, p95 340 ms, p99 500 ms');
    expect(text).toContain('p99 4.25 ms');
  });
});

describe('summarise analytics', () => {
  const run = (total: number, feed = false) => ({
    hot_read: feed ? ('feed' as const) : ('scan' as const),
    hot_scanned: feed ? 0 : 500_000,
    feed_rows: feed ? 1200 : 0,
    feed_invalid: 0,
    hot_rows: 500_000,
    hot_ms: total - 500,
    archive_files: 60,
    archive_files_loaded: 0,
    archive_files_dropped: 0,
    archive_bytes_copied: 0,
    archive_ms: 10,
    hot_view_ms: 0,
    query_ms: 490,
    total_ms: total,
  });
  const size = (orders: number, minute: number) => ({
    orders,
    hot: orders / 2,
    archived: orders / 2,
    hot_capped: false,
    archive_files: 60,
    archive_mb: 30,
    seed: { hot_s: 80, hot_docs_per_s: 6250, archive_s: 20 },
    raw_cursor: { docs: orders / 2, ms: 100_000, docs_per_s: 5000 },
    delta_read: { docs: 1200, ms: 9000 },
    duckdb: {
      cold: run(minute + 4000),
      full: [run(minute * 10)],
      start: run(minute + 3000),
      warm: [run(minute, true)],
      minute_orders: 1200,
      minute_ms: minute,
      full_minute_ms: minute * 10,
      hot_docs_per_s: 4000,
      hot_vs_raw: 0.8,
      baseline_ratio: 1.04,
      all_documents_estimate_ms: 250_000,
    },
    spark: [{ cores: 1, total_ms: 95_000 }, { cores: 2, skipped: "the cluster's workers have 2 cores; 2 executor cores need 3 (the driver takes one)" }],
  });
  it('prints the minute run against the target at 1M, the baseline ratio, the raw cursor and Spark per cores', () => {
    const text = summarise({ at: 'x', analytics: { sizes: [size(100_000, 9000), size(1_000_000, 125_000)], load: { before: [3, 3, 3], after: [4, 4, 4] }, cpus: 2, targets: { minute_ms_at_1m: 10_000 } } });
    expect(text).toContain('analytics 1,000,000 orders (500,000 hot + 500,000 archived in 60 files): seeded hot at 6,250 docs/s; raw cursor 5,000 docs/s (100.0 s)');
    expect(text).toContain('analytics duckdb 100,000: minute run (incremental, +1,200 orders) 9.0 s vs re-read everything (cold) 13.0 s → 1.04×; re-reading the hot store with the archive cached 90.0 s; incremental first run (scan) 12.0 s');
    expect(text).toContain('analytics duckdb 100,000: hot-store scan 4,000 docs/s = 0.80 of the raw cursor');
    expect(text).toContain('analytics duckdb 1,000,000: minute run (incremental, +1,200 orders) 125.0 s (target < 10.0 s at 1M ✘)');
    const met = summarise({ at: 'x', analytics: { sizes: [size(1_000_000, 2000)], load: { before: [3, 3, 3], after: [4, 4, 4] }, cpus: 2, targets: { minute_ms_at_1m: 10_000 } } });
    expect(met).toContain('analytics duckdb 1,000,000: minute run (incremental, +1,200 orders) 2.0 s (target < 10.0 s at 1M ✔)');
    expect(text).toContain('analytics spark 1,000,000, 1 executor core: 95.0 s');
    expect(text).toContain("analytics spark 100,000, 2 executor cores: skipped (the cluster's workers have 2 cores");
  });
});

describe('peerLines', () => {
  const peer: PeerBenchResult = {
    events: 100_000,
    seed: 1,
    ours: { events_per_s: 2000, steady_events_per_s: 2500, mode: 'pipeline', measured: 'ingest part of this run', loadavg_1m: 2 },
    peer_default: { kind: 'default', connector: { 'tasks.max': '1' }, docs: 2982, seconds: 60.02, docs_per_s: 49.7, capped: true, loadavg_1m: 3 },
    peer_fastest: { kind: 'fastest', connector: { 'tasks.max': '4' }, docs: 100_000, seconds: 11.33, docs_per_s: 8824, steady_docs_per_s: 9500, capped: false, loadavg_1m: 3 },
    raw_insert_many: { docs_per_s: 10_000, concurrency: 4, by_concurrency: { '1': 9000, '4': 10_000 }, batch: 2000 },
    ratios: { ours_to_peer_fastest: 0.227, ours_to_peer_default: 40.241, ours_to_raw: 0.2, peer_fastest_to_raw: 0.882 },
    target: { ours_to_peer_fastest: 1, met: false },
    peer: { kafka_connect: '4.1.2', mongo_kafka_connect: '1.13.0', rest: 'http://127.0.0.1:8383' },
    machine: { cpus: 2, loadavg_1m_start: 1, loadavg_1m_end: 2, store: 'FerretDB v1.24.2 (SQLite)' },
  };
  it('prints the three rates, the time box and the ratios with the target mark', () => {
    const [rates, ratios] = peerLines(peer);
    expect(rates).toBe(
      'peer (100,000 events, Kafka Connect 4.1.2 + mongo-kafka-connect 1.13.0): ours 2,000 ev/s (steady 2,500); sink fastest (insert, unordered, 4 tasks) 8,824 docs/s (steady 9,500); sink default (replace-one upsert by order_id) 49.7 docs/s (time-boxed: 2,982 docs in 60.0 s); raw insertMany 10,000 docs/s',
    );
    expect(ratios).toBe('peer ratios: ours / sink fastest 0.23 (target ≥ 1 ✘); ours / sink default 40.2; ours / raw 0.20; sink fastest / raw 0.88 (load average at the start of ours / fastest / default: 2.0 / 3.0 / 3.0)');
    expect(summarise({ at: 'x', peer: { ...peer, target: { ours_to_peer_fastest: 1, met: true } } })).toContain('(target ≥ 1 ✔)');
  });
});

describe('replicas summary', () => {
  it('prints each run with its ratio to 1 replica and the load average', () => {
    const run = (replicas: number, eps: number, ratio: number) => ({
      replicas, seconds: 1, events_per_s: eps, steady_events_per_s: eps, ingest_seconds: 1, ingest_events_per_s: eps,
      ratio_to_1: ratio, steady_ratio_to_1: ratio, ingest_ratio_to_1: ratio, cpu_us_per_event: 100, cores_used: { functions: 0.1, ferretdb: 0.9 }, invocations: { ingest: [1], aggregate: [1] }, facts: 1000, loadavg: { before: [2.5, 2, 2], after: [3, 2, 2] },
    });
    const text = summarise({ at: 'x', replicas: { events: 1000, partitions: 8, produce_events_per_s: 1, runs: [run(1, 1000, 1), run(4, 1500, 1.5)], by_replicas: [{ replicas: 1, runs: 1, events_per_s: 1000, ratio_to_1: 1 }, { replicas: 4, runs: 1, events_per_s: 1500, ratio_to_1: 1.5 }], machine: { cpus: 2 }, command: 'c' } });
    expect(text).toContain('replicas 4× ingest + 4× aggregate (1,000 events, 8 partitions): end to end 1,500 ev/s');
    expect(text).toContain('ratio to 1 replica 1.50');
    expect(text).toContain('cores busy: functions 0.10, FerretDB 0.90; load average 2.5 → 3 (2 cores)');
    expect(text).toContain('replicas, mean of each count\'s runs: 1× 1,000 ev/s (1.00, 1 run); 4× 1,500 ev/s (1.50, 1 run)');
  });
});

describe('ferretdb-backends part', () => {
  it('is opt-in (only with --only) and summarised with its ratios', () => {
    expect(parseBenchArgs([]).parts).not.toContain('ferretdb-backends');
    expect(parseBenchArgs(['--only', 'ferretdb-backends']).parts).toEqual(['ferretdb-backends']);
    const fig = (backend: 'sqlite' | 'postgresql', k: number) => ({
      backend,
      start_ms: 1,
      insert_many_docs_per_s: 1000 * k,
      ingest_events_per_s: 500 * k,
      read_by_id_per_s: 10 * k,
      delete_by_id_list_per_s: 100 * k,
      delete_one_by_id_per_s: 5 * k,
      disk_bytes: 1048576 * 10,
      logical_bytes: 1048576 * 8,
      archive_orders_per_s: 900 * k,
      archive_hot_store_share: 0.9,
    });
    const text = summarise({
      at: 'x',
      ferretdbBackends: { orders: 10, reads: 1, archive_orders: 10, load_avg: [1, 1, 1], backends: [fig('sqlite', 1), fig('postgresql', 2)], ratio_pg_to_sqlite: { ingest_events_per_s: 2 }, faster: 'postgresql' },
    });
    expect(text).toContain('ferretdb on postgresql: insertMany 2,000 docs/s, ingest core 1,000 ev/s');
    expect(text).toContain('ferretdb postgresql / sqlite: ingest_events_per_s 2.00 → faster: postgresql');
  });
});
