/**
 * The pure parts of the load-and-faults benchmark (bench/faults.ts): what was produced, the
 * exact-count check against what the stores hold, and times read off the monitor's samples.
 */
import type { GeneratedMessage } from '../dev/generator/stream.ts';

/** What the bench produced, from the generator's own label of each message. */
export interface Produced {
  /** Messages acknowledged by Kafka (orders + duplicates + bad). */
  messages: number;
  /** Distinct valid orders (the generator's first occurrence of each order_id). */
  orders: number;
  /** Exact redeliveries of an order produced before. */
  duplicates: number;
  /** Malformed or conflicting events, by the DLQ reason the contract calls for. */
  bad: Record<string, number>;
}

export function emptyProduced(): Produced {
  return { messages: 0, orders: 0, duplicates: 0, bad: {} };
}

/** Count messages once Kafka acknowledged them. */
export function tally(p: Produced, msgs: readonly GeneratedMessage[]): void {
  for (const m of msgs) {
    p.messages++;
    if (m.kind === 'order') p.orders++;
    else if (m.kind === 'duplicate') p.duplicates++;
    else {
      const reason = m.expect ?? 'unknown';
      p.bad[reason] = (p.bad[reason] ?? 0) + 1;
    }
  }
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** What the pipeline holds, each read independently of the functions' own counters. */
export interface Observed {
  /** Messages on the orders topic (high − low watermarks): what ingest had to read. */
  topicMessages: number;
  /** Facts in MongoDB (`orders_fact`): accepted orders. */
  facts: number;
  /** DLQ records by reason, each source message once (shared/quality's DLQ reader). */
  dlqByReason: Record<string, number>;
  /** DLQ records written twice for one source offset (at-least-once DLQ; informational). */
  dlqRedelivered: number;
  /** `orders` of the dashboard's `/api/kpis/summary`. */
  kpiOrders: number;
  /** Batches the Kafka connector parked (nothing should be). */
  parked: number;
}

export interface CountCheck {
  ok: boolean;
  /** produced messages = accepted + duplicates + DLQ, with duplicates = produced duplicates. */
  equation: string;
  problems: string[];
}

/** The exact-count check: nothing lost, nothing counted twice. */
export function checkCounts(p: Produced, o: Observed): CountCheck {
  const problems: string[] = [];
  const dlq = sum(o.dlqByReason);
  if (o.topicMessages !== p.messages) problems.push(`orders topic holds ${o.topicMessages} messages, ${p.messages} were acknowledged (producer retry copies or a loss)`);
  if (o.facts !== p.orders) problems.push(`facts ${o.facts} ≠ distinct valid orders produced ${p.orders}`);
  if (o.kpiOrders !== p.orders) problems.push(`KPI summary orders ${o.kpiOrders} ≠ distinct valid orders produced ${p.orders}`);
  for (const reason of new Set([...Object.keys(p.bad), ...Object.keys(o.dlqByReason)])) {
    const want = p.bad[reason] ?? 0;
    const got = o.dlqByReason[reason] ?? 0;
    if (want !== got) problems.push(`DLQ ${reason}: ${got} records, ${want} produced`);
  }
  if (o.parked !== 0) problems.push(`${o.parked} batches parked`);
  const accountedFor = o.facts + p.duplicates + dlq;
  if (accountedFor !== o.topicMessages) problems.push(`accepted ${o.facts} + duplicates ${p.duplicates} + DLQ ${dlq} = ${accountedFor} ≠ ${o.topicMessages} on the topic`);
  return { ok: problems.length === 0, equation: `${o.topicMessages} = ${o.facts} accepted + ${p.duplicates} duplicates + ${dlq} DLQ; KPI orders ${o.kpiOrders}`, problems };
}

/** One scrape of the gateway's /metrics, reduced to what the bench follows, per function. */
export interface Sample {
  /** ms since the bench's start. */
  t: number;
  /** orderpulse_connector_consumer_lag summed over topics and partitions. */
  lag: Record<string, number>;
  /** orderpulse_connector_delivered_messages_total (the connectors live in the bench process: never reset). */
  delivered: Record<string, number>;
}

export const totalLag = (s: Sample, fns: readonly string[]): number => fns.reduce((n, f) => n + (s.lag[f] ?? 0), 0);

/** First sample at or after `from` whose lag over `fns` is ≤ `threshold`: its time, or undefined. */
export function firstAtOrBelow(samples: readonly Sample[], from: number, fns: readonly string[], threshold: number): number | undefined {
  return samples.find((s) => s.t >= from && fns.every((f) => s.lag[f] !== undefined) && totalLag(s, fns) <= threshold)?.t;
}

/** Highest lag over `fns` between `from` and `to`. */
export function peakLag(samples: readonly Sample[], from: number, to: number, fns: readonly string[]): number {
  let peak = 0;
  for (const s of samples) if (s.t >= from && s.t <= to) peak = Math.max(peak, totalLag(s, fns));
  return peak;
}

/** When `fn` delivered again after `after`: the first sample whose count exceeds the last count seen at or before `after`. */
export function resumedAt(samples: readonly Sample[], fn: string, after: number): number | undefined {
  let base: number | undefined;
  for (const s of samples) {
    const d = s.delivered[fn];
    if (d === undefined) continue;
    if (s.t <= after) base = d;
    else if (base === undefined) base = d;
    else if (d > base) return s.t;
  }
  return undefined;
}

/** Per-fault figures, as the summary prints them. */
export interface FaultResult {
  fault: string;
  /** From the fault until the function or service answered again (ready / healthy). */
  downtime_ms: number;
  /** From the fault until every affected function delivered again. */
  resumed_ms: number | undefined;
  /** From the end of the fault's load until every lag is 0. */
  caught_up_ms: number | undefined;
  peak_lag: number;
  check: CountCheck;
}

export interface BurstResult {
  rate: number;
  burst_rate: number;
  burst_s: number;
  /** Rates the generator achieved, in the steady phase and in the burst. */
  achieved_rate: number;
  achieved_burst_rate: number;
  /** Highest ingest lag seen in the steady phase before the burst (what "drained" is compared with). */
  steady_peak_lag: number;
  peak_lag: number;
  /** From the end of the burst until the lag of every function is back to the steady level (≤ drain threshold). */
  drain_ms: number | undefined;
  drain_threshold: number;
  /** From the end of the burst until every lag is exactly 0 (the generator stopped at drain_ms). */
  zero_ms: number | undefined;
  /** Events ingest delivered per second from the end of the burst until every lag was 0: what the pipeline keeps up with. */
  ingest_drain_rate: number;
  check: CountCheck;
}

export interface FaultsBenchResult {
  quick: boolean;
  seed: number;
  /** The sustained rate R (events/s). */
  rate: number;
  load_average: [number, number, number][];
  produced: Produced;
  burst?: BurstResult;
  faults: FaultResult[];
  skipped: Record<string, string>;
  seconds: number;
}

const f = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const s = (ms: number | undefined): string => (ms === undefined ? 'never' : `${f(ms / 1000, 1)} s`);
const ok = (c: CountCheck): string => (c.ok ? `counts exact ✔ (${c.equation})` : `counts ✘ ${c.problems.join('; ')}`);

export function faultsLines(r: FaultsBenchResult): string[] {
  const lines: string[] = [];
  const la = r.load_average.map((l) => l.map((x) => x.toFixed(1)).join('/'));
  lines.push(`faults${r.quick ? ' (quick)' : ''}: ${f(r.produced.messages)} events produced (${f(r.produced.orders)} orders, ${f(r.produced.duplicates)} duplicates, ${f(Object.values(r.produced.bad).reduce((a, b) => a + b, 0))} bad), ${f(r.seconds)} s, load average ${la[0] ?? 'n/a'} → ${la[la.length - 1] ?? 'n/a'}`);
  const b = r.burst;
  if (b) {
    lines.push(
      `faults burst: ${f(b.rate)} ev/s (achieved ${f(b.achieved_rate)}), then ${f(b.burst_rate)} ev/s for ${f(b.burst_s)} s (achieved ${f(b.achieved_burst_rate)}): peak ingest lag ${f(b.peak_lag)} (steady ${f(b.steady_peak_lag)}); drained to ≤ ${f(b.drain_threshold)} in ${s(b.drain_ms)} after the burst, every lag 0 after ${s(b.zero_ms)}; ingest drained at ${f(b.ingest_drain_rate)} ev/s; ${ok(b.check)}`,
    );
  }
  for (const x of r.faults) lines.push(`faults ${x.fault} at ${f(r.rate)} ev/s: down ${s(x.downtime_ms)}, delivery resumed after ${s(x.resumed_ms)}, every lag 0 ${s(x.caught_up_ms)} after the load stopped, peak lag ${f(x.peak_lag)}; ${ok(x.check)}`);
  for (const [k, v] of Object.entries(r.skipped)) lines.push(`faults ${k}: skipped (${v})`);
  return lines;
}
