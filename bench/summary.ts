/** Argument parsing and the human summary of `npm run bench` (pure). */
import { commandLine } from '../shared/platform/args.ts';
import type { IngestBenchResult } from './ingest.ts';
import type { PeerBenchResult } from './peer.ts';
import type { KpiBenchResult } from './kpi.ts';
import type { ArchiveBenchResult } from './archive.ts';
import type { AnalyticsBenchResult } from './analytics.ts';
import type { KafkaClientBenchResult } from './kafka-client.ts';
import { faultsLines, type FaultsBenchResult } from './faults-check.ts';
import { alertsLines, type AlertsBenchResult } from './alerts.ts';
import type { ReplicasBenchResult } from './replicas.ts';
import type { GrowthBenchResult } from './growth.ts';
import type { FerretdbBackendsResult } from './ferretdb-backends.ts';
import type { StoreBoundResult } from './store-bound.ts';
import type { FloorResult } from './ingest-floor.ts';
import { scoreboard, scoreboardTable } from './scoreboard.ts';

export const BENCH_PARTS = ['generator', 'ingest', 'store-bound', 'ingest-floor', 'peer', 'kpi', 'archive', 'analytics', 'kafka-client', 'faults', 'replicas', 'alerts', 'growth', 'ferretdb-backends'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];
/** Parts run only when named with --only: growth (a 160,000-order preload, ~15 min here) and ferretdb-backends (private services of its own). */
export const OPT_IN_PARTS: readonly BenchPart[] = ['growth', 'ferretdb-backends'];

export interface BenchArgs {
  parts: BenchPart[];
  quick: boolean;
  /** analytics: at most this many hot orders per size (the rest archived). */
  hotCap?: number;
  /** faults: the sustained rate (events/s; the burst is 10×). */
  faultsRate?: number;
  help: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Runs the benchmarks on the local stack (started with the cold-path services when archive runs),
writes the JSON results to .local/bench/<timestamp>.json and a summary to stdout.

  --only a[,b]   only these parts: ${BENCH_PARTS.join(', ')} (default all but ${OPT_IN_PARTS.join(', ')})
  --quick        smaller runs
  --hot-cap N    analytics: at most N orders in the hot store per size (the rest archived)
  --faults-rate N  faults: the sustained rate in events/s (default 30; the burst is 10×)
  -h, --help     this text`;

const benchCli = commandLine({
  usage: BENCH_USAGE,
  options: {
    only: { type: 'list', value: `a comma-separated list of ${BENCH_PARTS.join(', ')}`, allowed: BENCH_PARTS },
    quick: { type: 'boolean' },
    'hot-cap': { type: 'number', min: 1, integer: true },
    'faults-rate': { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = benchCli.parse(argv);
  return { parts: values.only ?? BENCH_PARTS.filter((p) => !OPT_IN_PARTS.includes(p)), quick: values.quick ?? false, ...(values['hot-cap'] !== undefined ? { hotCap: values['hot-cap'] } : {}), ...(values['faults-rate'] !== undefined ? { faultsRate: values['faults-rate'] } : {}), help: values.help ?? false };
}

export interface BenchResults {
  at: string;
  generator?: Record<string, unknown>;
  ingest?: IngestBenchResult;
  storeBound?: StoreBoundResult;
  ingestFloor?: FloorResult;
  peer?: PeerBenchResult;
  kpi?: KpiBenchResult;
  archive?: ArchiveBenchResult;
  analytics?: AnalyticsBenchResult;
  kafkaClient?: KafkaClientBenchResult;
  faults?: FaultsBenchResult;
  replicas?: ReplicasBenchResult;
  alerts?: AlertsBenchResult;
  growth?: GrowthBenchResult;
  ferretdbBackends?: FerretdbBackendsResult;
}

const f = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

export function summarise(r: BenchResults): string {
  const lines: string[] = [`OrderPulse benchmarks, ${r.at}`];
  if (r.generator) lines.push(`generator: ${JSON.stringify(r.generator)}`);
  if (r.ingest) {
    const i = r.ingest;
    lines.push(
      `ingest (${i.events} events, ${i.mode}): ${f(i.ingest.events_per_s)} ev/s end to end (steady ${f(i.ingest.steady_events_per_s)}); raw insertMany ${f(i.raw_insert_many.events_per_s)} docs/s; ratio ${f(i.ratio_ingest_to_raw_insert_many, 2)} (target ≥ ${i.targets.ratio}); ` +
        `raw bulkWrite upsert ${f(i.raw_bulk_write_upsert.events_per_s)} docs/s; function CPU ${f(i.ingest.cpu_us_per_event, 1)} µs/event (target ≤ ${i.targets.cpu_us_per_event})`,
    );
  }
  if (r.storeBound) {
    const b = r.storeBound;
    lines.push(`store bound (${f(b.events)} events × ${b.rounds.length} rounds, ${b.store}): ingest's own writes ÷ raw insertMany ${b.rounds.map((x) => f(x.ratio, 2)).join(' / ')}, median ${f(b.median_ratio, 2)} (${f(b.documents_per_event, 2)} docs/event; the ingest ratio cannot exceed it)`);
  }
  if (r.ingestFloor) {
    const fl = r.ingestFloor;
    const m = fl.median_cpu_us_per_event;
    lines.push(`ingest CPU floor (${f(fl.events)} events × ${fl.rounds} rounds, ${fl.store}): store client ${f(m.store, 1)} + producer ${f(m.producer, 1)} + pure steps ${f(m.pure, 1)} = ${f(fl.floor_cpu_us_per_event, 1)} µs/event (what the function cannot leave out with this driver and client)`);
  }
  if (r.peer) lines.push(...peerLines(r.peer));
  if (r.kpi) {
    for (const l of r.kpi.latency) lines.push(`event→KPI at ${f(l.rate)} ev/s (achieved ${f(l.achieved_rate)}): p50 ${f(l.p50_ms)} ms, p95 ${f(l.p95_ms)} ms, p99 ${f(l.p99_ms)} ms${l.sustained ? '' : ' (not sustained)'}`);
    const rd = r.kpi.read;
    lines.push(`dashboard /api/kpis/summary (${rd.tool}, ${rd.connections} connections): ${f(rd.requests_per_s)} req/s, p50 ${f(rd.p50_ms, 2)} ms, p99 ${f(rd.p99_ms, 2)} ms`);
    const c = r.kpi.read_ceiling;
    const mark = (ok: boolean): string => (ok ? '✔' : '✘');
    if (c) lines.push(`dashboard reads vs a bare node:http server with the same ${f(c.response_bytes.ours)}-byte answer (wrk, alternated): ours ${f(c.ours_requests_per_s)} req/s, bare ${f(c.bare_requests_per_s)} req/s → ratio ${f(c.ratio, 2)} (target ≥ ${r.kpi.targets.read_ratio}) ${mark(c.ok)}`);
    for (const o of r.kpi.read_open_loop ?? []) {
      lines.push(`${o.server === 'ours' ? 'dashboard' : 'bare node:http'} /api/kpis/summary at a fixed ${f(o.rate)} req/s over ${o.connections} connections: p50 ${f(o.p50_ms, 2)} ms, p99 ${f(o.p99_ms, 2)} ms (target ≤ ${r.kpi.targets.read_p99_ms} ms) ${mark(o.ok)}${o.server === 'bare' ? ' (reference)' : ''}`);
    }
    if (r.kpi.read_load_average) lines.push(`load average during the reads: ${r.kpi.read_load_average.before.join(' ')} → ${r.kpi.read_load_average.after.join(' ')} (2 cores, shared)`);
  }
  if (r.archive) {
    for (const b of r.archive.backends) {
      lines.push(`archive ${b.backend} (${b.orders} orders): ${f(b.orders_per_s)} orders/s, ${f(b.mb_per_s, 2)} MB/s vs raw write ${f(b.raw_write.mb_per_s, 2)} MB/s → ratio ${f(b.throughput_ratio, 2)} (target ≥ ${r.archive.targets.throughput_ratio}); Parquet ${f(b.size_ratio, 1)}× smaller than the hot store (target ≥ ${r.archive.targets.size_ratio})` + (b.time_share ? `; ${f(b.orders_per_s)} / ${f(r.archive.targets.orders_per_s)} orders/s target = ${f(b.orders_ratio, 2)}, hot store ${f(b.time_share.hot_store_share * 100)} % of the time (reads ${f(b.time_share.hot_reads_s, 1)} s, marks ${f(b.time_share.hot_marks_s, 1)} s, deletes ${f(b.time_share.hot_deletes_s, 1)} s by ${b.delete_path}), Parquet encode ${f(b.time_share.parquet_encode_s, 1)} s, storage ${f(b.time_share.storage_s, 1)} s, rest ${f(b.time_share.rest_s, 1)} s` : ''));
    }
    const fl = r.archive.hot_store_floor;
    if (fl) lines.push(`archive: the hot store's floor (read ${f(fl.orders)} orders once + ${fl.delete_calls} _id range deletes, nothing else) ${f(fl.orders_per_s)} orders/s (read ${f(fl.read_s, 1)} s, delete ${f(fl.delete_s, 1)} s) = ${f(fl.target_ratio, 2)} of the ${f(r.archive.targets.orders_per_s)} orders/s target; archive-move / floor: ${r.archive.backends.map((b) => f(b.ratio_to_floor, 2)).join(', ')}`);
    for (const [k, v] of Object.entries(r.archive.skipped)) lines.push(`archive ${k}: skipped (${v})`);
  }
  if (r.ferretdbBackends) {
    const fb = r.ferretdbBackends;
    for (const b of fb.backends) lines.push(`ferretdb on ${b.backend}: insertMany ${f(b.insert_many_docs_per_s)} docs/s, ingest core ${f(b.ingest_events_per_s)} ev/s, read by _id ${f(b.read_by_id_per_s)}/s, delete by id list ${f(b.delete_by_id_list_per_s)}/s, deleteOne ${f(b.delete_one_by_id_per_s)}/s, ${f(b.disk_bytes / 1048576, 1)} MiB on disk, archive ${f(b.archive_orders_per_s)} orders/s`);
    lines.push(`ferretdb postgresql / sqlite: ${Object.entries(fb.ratio_pg_to_sqlite).map(([k, v]) => `${k} ${f(v, 2)}`).join(', ')} → faster: ${fb.faster}`);
  }
  if (r.analytics) lines.push(...analyticsLines(r.analytics));
  if (r.kafkaClient) {
    for (const k of r.kafkaClient.runs) {
      lines.push(`kafka consume ${k.codec} (${f(r.kafkaClient.messages)} × ${r.kafkaClient.avg_bytes} B): kafkajs ${f(k.kafkajs.messages_per_s)} msg/s, ${f(k.kafkajs.cpu_us_per_message, 1)} µs/msg; @platformatic/kafka ${f(k.platformatic.messages_per_s)} msg/s, ${f(k.platformatic.cpu_us_per_message, 1)} µs/msg`);
    }
  }
  if (r.faults) lines.push(...faultsLines(r.faults));
  if (r.replicas) lines.push(...replicasLines(r.replicas));
  if (r.alerts) lines.push(...alertsLines(r.alerts));
  if (r.growth) lines.push(...growthLines(r.growth));
  const rows = scoreboard(r);
  if (rows.length > 0) lines.push('', 'Scoreboard (ours against the peer or ceiling measured in this run):', scoreboardTable(rows));
  return lines.join('\n');
}

/** How cost grows with the hot store's size, and the KPI stage's per-event cost (bench/growth.ts). */
export function growthLines(g: GrowthBenchResult): string[] {
  const lines = g.levels.map(
    (l) =>
      `growth ${l.multiple}× (${f(l.hot_orders)} hot orders): ingest ${f(l.ingest.events_per_s)} ev/s vs reference ${f(l.ingest.reference_events_per_s)} → ${f(l.ingest.ratio_to_reference, 2)} (store ms per 2,000-event batch: ${Object.entries(l.ingest.store_ms_per_batch).map(([k, v]) => `${k} ${f(v)}`).join(', ')}); ` +
      `duplicates ${f(l.ingest.duplicates.events_per_s)} ev/s vs ${f(l.ingest.duplicates.reference_events_per_s)} → ${f(l.ingest.duplicates.ratio_to_reference, 2)}; ` +
      `archive-move ${f(l.archive.orders_per_s)} orders/s vs reference ${f(l.archive.reference_orders_per_s)} → ${f(l.archive.ratio_to_reference, 2)} (s: ${Object.entries(l.archive.steps_s).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ')})`,
  );
  const k = g.kpi;
  lines.push(
    `growth ratios, largest / 1×: ingest ${f(g.ingest_ratio_largest_to_1x, 2)}, archive-move ${f(g.archive_ratio_largest_to_1x, 2)} (load average ${g.load_average.before.join(' ')} → ${g.load_average.after.join(' ')})`,
    `KPI stage (${f(k.orders)} orders, batches of ${f(k.batch)}): aggregate CPU ${f(k.cpu_us_per_event, 1)} µs/event, redis-server CPU ${f(k.redis_cpu_us_per_event, 1)} µs/event (scripts' wall ${f(k.lua_us_per_event, 1)}), ${f(k.batch_ms.p50)} ms per batch (p95 ${f(k.batch_ms.p95)}); one materialisation ${f(k.materialize_ms.p50, 1)} ms`,
    `KPI Redis memory: marks ${f(k.memory.marks_bytes_per_order, 1)} B/order (${f((k.memory.marks_bytes_per_order * 1e6) / 1048576, 0)} MiB per million orders, bounded by KPI_DEDUPE_HORIZON_HOURS when set), customer sets ${f(k.memory.customer_sets_bytes_per_customer, 0)} B/customer, the rest ${f(k.memory.bounded_bytes / 1024, 0)} KiB bounded`,
  );
  return lines;
}

/** Our ingest beside Kafka Connect's MongoDB sink connector (bench/peer.ts). */
export function peerLines(p: PeerBenchResult): string[] {
  const run = (x: PeerBenchResult['peer_default']): string => `${f(x.docs_per_s, x.docs_per_s < 100 ? 1 : 0)} docs/s${x.steady_docs_per_s !== undefined ? ` (steady ${f(x.steady_docs_per_s)})` : ''}${x.capped ? ` (time-boxed: ${f(x.docs)} docs in ${f(x.seconds, 1)} s)` : ''}`;
  const tick = p.target.met ? '✔' : '✘';
  return [
    `peer (${f(p.events)} events, Kafka Connect ${p.peer.kafka_connect} + mongo-kafka-connect ${p.peer.mongo_kafka_connect}): ours ${f(p.ours.events_per_s)} ev/s (steady ${f(p.ours.steady_events_per_s)}); sink fastest (insert, unordered, ${p.peer_fastest.connector['tasks.max'] ?? '?'} tasks) ${run(p.peer_fastest)}; sink default (replace-one upsert by order_id) ${run(p.peer_default)}; raw insertMany ${f(p.raw_insert_many.docs_per_s)} docs/s`,
    `peer ratios: ours / sink fastest ${f(p.ratios.ours_to_peer_fastest, 2)} (target ≥ ${p.target.ours_to_peer_fastest} ${tick}); ours / sink default ${f(p.ratios.ours_to_peer_default, 1)}; ours / raw ${f(p.ratios.ours_to_raw, 2)}; sink fastest / raw ${f(p.ratios.peer_fastest_to_raw, 2)} (load average at the start of ours / fastest / default: ${f(p.ours.loadavg_1m, 1)} / ${f(p.peer_fastest.loadavg_1m, 1)} / ${f(p.peer_default.loadavg_1m, 1)})`,
  ];
}

const sec = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${f(ms / 1000, 1)} s`);

function analyticsLines(a: AnalyticsBenchResult): string[] {
  const lines: string[] = [];
  for (const s of a.sizes) {
    const where = `${f(s.orders)} orders (${f(s.hot)} hot${s.hot_capped ? ', capped' : ''} + ${f(s.archived)} archived in ${f(s.archive_files)} files)`;
    lines.push(`analytics ${where}: seeded hot at ${f(s.seed.hot_docs_per_s)} docs/s; raw cursor ${f(s.raw_cursor.docs_per_s)} docs/s (${sec(s.raw_cursor.ms)}); last minute's ${f(s.delta_read.docs)} facts by _id ${sec(s.delta_read.ms)}`);
    const d = s.duckdb;
    if (d) {
      const target = s.orders >= 1_000_000 ? ` (target < ${sec(a.targets.minute_ms_at_1m)} at 1M ${d.minute_ms < a.targets.minute_ms_at_1m ? '✔' : '✘'})` : '';
      lines.push(
        `analytics duckdb ${f(s.orders)}: minute run (incremental, +${f(d.minute_orders)} orders) ${sec(d.minute_ms)}${target} vs re-read everything (cold) ${sec(d.cold.total_ms)} → ${f(d.baseline_ratio, 2)}×; re-reading the hot store with the archive cached ${sec(d.full_minute_ms)}; incremental first run (scan) ${sec(d.start.total_ms)}`,
        `analytics duckdb ${f(s.orders)}: hot-store scan ${f(d.hot_docs_per_s)} docs/s = ${f(d.hot_vs_raw, 2)} of the raw cursor; all orders as documents ≈ ${sec(d.all_documents_estimate_ms)} (estimate)`,
      );
    }
    for (const sp of s.spark ?? []) lines.push(`analytics spark ${f(s.orders)}, ${sp.cores} executor core${sp.cores === 1 ? '' : 's'}: ${sp.total_ms !== undefined ? sec(sp.total_ms) : `skipped (${sp.skipped})`}`);
  }
  return lines;
}

/** Scale-out (bench/replicas.ts): one line per replica count. */
export function replicasLines(r: ReplicasBenchResult): string[] {
  const means = `replicas, mean of each count's runs: ${r.by_replicas.map((b) => `${b.replicas}× ${f(b.events_per_s)} ev/s (${f(b.ratio_to_1, 2)}, ${b.runs} run${b.runs === 1 ? '' : 's'})`).join('; ')}`;
  return [...r.runs.map(
    (x) =>
      `replicas ${x.replicas}× ingest + ${x.replicas}× aggregate (${f(r.events)} events, ${r.partitions} partitions): end to end ${f(x.events_per_s)} ev/s (steady ${f(x.steady_events_per_s)}), ingest alone ${f(x.ingest_events_per_s)} ev/s; ` +
      `ratio to 1 replica ${f(x.ratio_to_1, 2)} (steady ${f(x.steady_ratio_to_1, 2)}, ingest ${f(x.ingest_ratio_to_1, 2)}); ${f(x.cpu_us_per_event, 1)} µs CPU/event; cores busy: functions ${f(x.cores_used.functions, 2)}, FerretDB ${x.cores_used.ferretdb === null ? 'n/a' : f(x.cores_used.ferretdb, 2)}; load average ${x.loadavg.before[0]} → ${x.loadavg.after[0]} (${r.machine.cpus} cores)`,
  ), means];
}
