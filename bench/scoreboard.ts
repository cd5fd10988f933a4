/**
 * The one table of `npm run bench` (issue 10 item 8): for every stage measured in this run, ours,
 * the peer or ceiling it is compared with in the same run, their ratio, the target and ✔/✘.
 * Pure: built from the JSON results, so a saved results file can be re-printed.
 */
import type { BenchResults } from './summary.ts';

export interface ScoreRow {
  stage: string;
  /** Our figure, with its unit. */
  ours: string;
  /** The peer or ceiling measured in the same run ('—' when the target is absolute). */
  reference: string;
  /** ours / reference where that is the measure; undefined when the target is absolute. */
  ratio: number | undefined;
  target: string;
  met: boolean;
}

const n = (x: number, d = 0): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

/** Rows for the parts present in `r`, in flow order. */
export function scoreboard(r: BenchResults): ScoreRow[] {
  const rows: ScoreRow[] = [];
  const i = r.ingest;
  if (i) {
    const ratio = i.ratio_ingest_to_raw_insert_many;
    rows.push({ stage: 'ingest vs raw insertMany (same docs, same server)', ours: `${n(i.ingest.events_per_s)} ev/s`, reference: `${n(i.raw_insert_many.events_per_s)} docs/s`, ratio, target: `≥ ${i.targets.ratio}×`, met: ratio >= i.targets.ratio });
    rows.push({ stage: 'ingest function CPU per event', ours: `${n(i.ingest.cpu_us_per_event, 1)} µs`, reference: '—', ratio: undefined, target: `≤ ${i.targets.cpu_us_per_event} µs`, met: i.ingest.cpu_us_per_event <= i.targets.cpu_us_per_event });
  }
  const p = r.peer;
  if (p) {
    rows.push({ stage: 'ingest vs Kafka Connect MongoDB sink (fastest)', ours: `${n(p.ours.events_per_s)} ev/s`, reference: `${n(p.peer_fastest.docs_per_s)} docs/s`, ratio: p.ratios.ours_to_peer_fastest, target: `≥ ${p.target.ours_to_peer_fastest}×`, met: p.target.met });
    rows.push({ stage: 'ingest vs Kafka Connect MongoDB sink (default upsert)', ours: `${n(p.ours.events_per_s)} ev/s`, reference: `${n(p.peer_default.docs_per_s, 1)} docs/s`, ratio: p.ratios.ours_to_peer_default, target: '≥ 1×', met: p.ratios.ours_to_peer_default >= 1 });
  }
  const k = r.kpi;
  if (k) {
    const want = 5000;
    const at = k.latency.find((l) => l.rate === want);
    const best = k.highest_sustained;
    const shown = at ?? best;
    if (shown) {
      const ok = at !== undefined && at.sustained && at.p95_ms <= k.targets.p95_ms;
      rows.push({ stage: `event → dashboard p95 at ${n(shown.rate)} ev/s${at ? '' : ` (${n(want)} not run)`}`, ours: `${n(shown.p95_ms)} ms${shown.sustained ? '' : ' (not sustained)'}`, reference: '—', ratio: undefined, target: `≤ ${n(k.targets.p95_ms)} ms at ${n(want)} ev/s`, met: ok });
    }
    const c = k.read_ceiling;
    if (c) rows.push({ stage: 'dashboard /api/kpis/summary vs bare node:http (wrk)', ours: `${n(c.ours_requests_per_s)} req/s`, reference: `${n(c.bare_requests_per_s)} req/s`, ratio: c.ratio, target: `≥ ${k.targets.read_ratio}×`, met: c.ok });
    for (const o of (k.read_open_loop ?? []).filter((x) => x.server === 'ours')) {
      const bare = (k.read_open_loop ?? []).find((x) => x.server === 'bare' && x.rate === o.rate);
      rows.push({ stage: `dashboard p99 at a fixed ${n(o.rate)} req/s, ${o.connections} conns`, ours: `${n(o.p99_ms, 2)} ms`, reference: bare ? `${n(bare.p99_ms, 2)} ms (bare)` : '—', ratio: bare ? o.p99_ms / bare.p99_ms : undefined, target: `≤ ${k.targets.read_p99_ms} ms`, met: o.ok });
    }
  }
  for (const b of r.archive?.backends ?? []) {
    rows.push({ stage: `archive-move (${b.backend}) vs raw storage write`, ours: `${n(b.orders_per_s)} orders/s, ${n(b.mb_per_s, 2)} MB/s`, reference: `${n(b.raw_write.mb_per_s, 2)} MB/s`, ratio: b.throughput_ratio, target: `≥ ${r.archive?.targets.throughput_ratio}×`, met: b.throughput_ratio >= (r.archive?.targets.throughput_ratio ?? Infinity) });
  }
  for (const s of r.analytics?.sizes ?? []) {
    const d = s.duckdb;
    if (!d) continue;
    const target = r.analytics?.targets.minute_ms_at_1m ?? 10_000;
    rows.push({ stage: `analytics minute run, DuckDB, ${n(s.orders)} orders`, ours: `${n(d.minute_ms / 1000, 1)} s`, reference: `${n(d.cold.total_ms / 1000, 1)} s (re-read all)`, ratio: undefined, target: s.orders >= 1_000_000 ? `< ${n(target / 1000)} s at 1M` : 'report', met: s.orders >= 1_000_000 ? d.minute_ms < target : true });
  }
  const rep = r.replicas;
  const one = rep?.by_replicas.find((x) => x.replicas === 1);
  for (const x of rep?.by_replicas.filter((y) => y.replicas > 1) ?? []) {
    if (!one) break;
    rows.push({ stage: `scale-out: ${x.replicas}× ingest + aggregate vs 1× (${rep!.partitions} partitions, end to end, mean of ${x.runs})`, ours: `${n(x.events_per_s)} ev/s`, reference: `${n(one.events_per_s)} ev/s (1 replica)`, ratio: x.events_per_s / one.events_per_s, target: 'report', met: true });
  }
  return rows;
}

/** The rows as a Markdown table (what the README's benchmark section shows). */
export function scoreboardTable(rows: readonly ScoreRow[]): string {
  const head = '| stage | ours | peer or ceiling | ratio | target | |\n|---|---|---|---|---|---|';
  const body = rows.map((x) => `| ${x.stage} | ${x.ours} | ${x.reference} | ${x.ratio === undefined ? '—' : n(x.ratio, 2)} | ${x.target} | ${x.met ? '✔' : '✘'} |`);
  return [head, ...body].join('\n');
}
