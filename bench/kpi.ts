/**
 * KPI benchmark (issue 3, item 3 and 4), against the real pipeline (Kafka -> ingest ->
 * orders.accepted -> aggregate -> kpi.deltas -> cache-write -> Redis -> dashboard process):
 *
 * 1. event -> KPI latency: events are produced at a fixed rate, each stamped with its send time;
 *    an SSE client on the dashboard's /api/stream records when `summary.orders` first counts
 *    event k (k-th produced, all events valid and distinct). Latency = visible - sent; p50/p95/p99.
 *    Count-based: partitions are processed in parallel, so "the k-th visible" stands for "the
 *    k-th sent"; over thousands of events this is the usual end-to-end freshness measure.
 *    A rate is "sustained" when the backlog does not grow: the last event is visible within
 *    2 s of being sent. Rates are tried in increasing order until one is not sustained.
 * 2. read latency: `wrk -t2 -c100 -d10s --latency` on /api/kpis/summary (Debian wrk).
 *
 * `npx tsx bench/kpi.ts [--entry pipeline|kpi-stage] [--rates 1000,2000,4000] [--seconds 15] [--read-seconds 10] [--help]`
 * prints one JSON object. Needs the stack: `npm run stack -- up`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { commandLine, parseOrExit } from '../shared/platform/args.ts';
import { ROOT } from '../shared/platform/config.ts';
import { createMessageStream, type GeneratedMessage } from '../dev/generator/stream.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { ensureDebianTools, WRK } from '../tests/browser-setup.ts';
import { startKpiPipeline, type KpiPipeline } from '../tests/kpi-pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';

const run = promisify(execFile);

export interface KpiBenchOptions {
  /**
   * "pipeline" (default): events enter at Kafka `orders` (ingest -> MongoDB -> orders.accepted -> KPI stage).
   * "kpi-stage": validated events enter at `orders.accepted` (aggregate -> cache-write -> dashboard
   * only): the KPI stage's own share of the latency, without the hot-store write.
   */
  entry?: 'pipeline' | 'kpi-stage';
  /** Event rates to try, events/s, increasing (default 1000, 2000, 4000, 8000; stops at the first not sustained). */
  rates?: number[];
  /** Measured seconds per rate (default 15). */
  seconds?: number;
  /** Read benchmark duration (default 10 s) and connections (default 100). */
  readSeconds?: number;
  connections?: number;
  /** Open-loop read rates, requests/s (default 1000 and 3000). */
  readRates?: number[];
  log?: Logger;
}

export interface LatencyResult {
  rate: number;
  events: number;
  achieved_rate: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Last event sent -> visible. */
  tail_ms: number;
  sustained: boolean;
}

export interface KpiBenchResult {
  entry: 'pipeline' | 'kpi-stage';
  latency: LatencyResult[];
  at_1000: LatencyResult | undefined;
  highest_sustained: LatencyResult | undefined;
  /** wrk closed loop: saturation throughput, and latency = queueing at saturation. */
  read: { tool: string; connections: number; seconds: number; requests_per_s: number; p50_ms: number; p90_ms: number; p99_ms: number; errors: number };
  /** Open loop at a fixed request rate over 100 connections: what a reader sees at that load. */
  read_open_loop: Awaited<ReturnType<typeof openLoopRead>>[];
  targets: { p95_ms: number; read_p99_ms: number };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const round = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** The dashboard as its own process (as deployed), on a free port. */
async function startDashboardProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['dashboard/server.ts'], { cwd: ROOT, env: { ...process.env, ...env, DASHBOARD_PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(url + '/healthz')).ok, { timeoutMs: 60_000, intervalMs: 200, what: 'dashboard process' });
  return { url, child };
}

/** SSE observer: calls back with (performance.now(), summary.orders) for every push. */
function observe(url: string, onOrders: (t: number, orders: number) => void): { stop(): void; ready: Promise<void> } {
  const ac = new AbortController();
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  void (async () => {
    const res = await fetch(url + '/api/stream', { signal: ac.signal });
    if (!res.ok || !res.body) throw new Error(`SSE: HTTP ${res.status}`);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const t = performance.now();
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!block.includes('event: kpis')) continue;
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        onOrders(t, (JSON.parse(data) as { summary: { orders: number } }).summary.orders);
        readyResolve();
      }
    }
  })().catch((err: unknown) => {
    if (!ac.signal.aborted) process.stderr.write(`SSE observer failed: ${String(err)}\n`);
  });
  return { stop: () => ac.abort(), ready };
}

async function measureRate(p: KpiPipeline, url: string, rate: number, seconds: number, seed: number, log: Logger, topic: string): Promise<LatencyResult> {
  const obs: { t: number; orders: number }[] = [];
  const o = observe(url, (t, orders) => obs.push({ t, orders }));
  await o.ready;
  const base = obs[obs.length - 1]?.orders ?? 0;
  const stream = createMessageStream({ seed, start: Date.now(), eventRate: rate });
  const total = rate * seconds;
  const sentAt = new Float64Array(total);
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now();
  let n = 0;
  while (n < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    if (due > n) {
      const batch: GeneratedMessage[] = [];
      const now = performance.now();
      for (; n < due; n++) {
        batch.push(stream.next());
        sentAt[n] = now;
      }
      const s = p.send(batch, topic).finally(() => inflight.delete(s));
      inflight.add(s);
      if (inflight.size >= 16) await Promise.race(inflight);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inflight);
  const sendSeconds = (performance.now() - t0) / 1000;
  await waitFor(() => (obs[obs.length - 1]?.orders ?? 0) - base >= total, { timeoutMs: 120_000, intervalMs: 50, what: `KPIs to count ${total} events at ${rate}/s` }).catch((e: unknown) => log.warn('not all events became visible', { err: e }));
  o.stop();
  const lat: number[] = [];
  let j = 0;
  for (let k = 0; k < total; k++) {
    while (j < obs.length && (obs[j] as { orders: number }).orders - base < k + 1) j++;
    if (j >= obs.length) break;
    lat.push((obs[j] as { t: number }).t - (sentAt[k] as number));
  }
  const tail = lat.length === total ? (lat[total - 1] as number) : Infinity;
  lat.sort((a, b) => a - b);
  return {
    rate,
    events: total,
    achieved_rate: Math.round(total / sendSeconds),
    p50_ms: round(pct(lat, 50)),
    p95_ms: round(pct(lat, 95)),
    p99_ms: round(pct(lat, 99)),
    max_ms: round(lat[lat.length - 1] ?? NaN),
    tail_ms: round(tail),
    sustained: lat.length === total && tail <= 2000,
  };
}

function wrkMs(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function readBench(url: string, seconds: number, connections: number): Promise<KpiBenchResult['read']> {
  await ensureDebianTools(['wrk']);
  const { stdout } = await run(WRK, ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', `${url}/api/kpis/summary`], { timeout: (seconds + 30) * 1000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const errs = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    tool: 'wrk -t2 -c' + connections,
    connections,
    seconds,
    requests_per_s: Math.round(Number(rps?.[1] ?? NaN)),
    p50_ms: wrkMs(stdout, '50%'),
    p90_ms: wrkMs(stdout, '90%'),
    p99_ms: wrkMs(stdout, '99%'),
    errors: Number(errs?.[1] ?? 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

/**
 * Open-loop read load: `rate` requests/s spread over `connections` keep-alive connections, each
 * request timed from its scheduled start (so queueing in the client counts, coordinated omission
 * avoided). Unlike wrk's closed loop (latency = connections / throughput by Little's law), this
 * measures the response time a dashboard reader sees at a given load.
 */
async function openLoopRead(url: string, rate: number, seconds: number, connections: number): Promise<{ rate: number; connections: number; requests: number; p50_ms: number; p99_ms: number; max_ms: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url + '/api/kpis/summary');
  const lat: number[] = [];
  let errors = 0;
  const get = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host: target.hostname, port: target.port, path: target.pathname, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  // open all connections first
  await Promise.all(Array.from({ length: connections }, get));
  lat.length = 0;
  const total = rate * seconds;
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(get().then(() => void lat.push(performance.now() - due)));
  }
  await Promise.all(pending);
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { rate, connections, requests: total, p50_ms: round2(pct(lat, 50)), p99_ms: round2(pct(lat, 99)), max_ms: round(lat[lat.length - 1] ?? NaN), errors };
}

export async function runKpiBench(o: KpiBenchOptions = {}): Promise<KpiBenchResult> {
  const log = o.log ?? createLogger({ bench: 'kpi' });
  const rates = o.rates ?? [1000, 2000, 4000, 8000];
  const seconds = o.seconds ?? 15;
  const entry = o.entry ?? 'pipeline';
  const p = await startKpiPipeline('bench', { quiet: true, functions: entry === 'kpi-stage' ? ['aggregate', 'cache-write', 'kpi-rebuild'] : undefined });
  const topic = entry === 'kpi-stage' ? p.config.topics.accepted : p.config.topics.orders;
  let dash: { url: string; child: ChildProcess } | undefined;
  try {
    dash = await startDashboardProcess(p.env);
    // warm-up: functions loaded, clients connected, the first reconcile of the empty prefix done
    await measureRate(p, dash.url, 200, 3, 1, log, topic);
    const latency: LatencyResult[] = [];
    for (const [i, rate] of rates.entries()) {
      log.info('measuring event -> KPI latency', { rate, seconds });
      const r = await measureRate(p, dash.url, rate, seconds, 100 + i, log, topic);
      log.info('latency', { ...r });
      latency.push(r);
      if (!r.sustained) break;
    }
    log.info('measuring read latency', { connections: o.connections ?? 100 });
    const read = await readBench(dash.url, o.readSeconds ?? 10, o.connections ?? 100);
    const read_open_loop = [];
    for (const r of o.readRates ?? [1000, 3000]) read_open_loop.push(await openLoopRead(dash.url, r, o.readSeconds ?? 10, o.connections ?? 100));
    return {
      entry,
      latency,
      at_1000: latency.find((r) => r.rate === 1000),
      highest_sustained: [...latency].reverse().find((r) => r.sustained),
      read,
      read_open_loop,
      targets: { p95_ms: 1000, read_p99_ms: 5 },
    };
  } finally {
    dash?.child.kill('SIGTERM');
    await p.close();
  }
}

const USAGE = `Usage: npx tsx bench/kpi.ts [options]

Event-to-KPI latency at increasing rates, and dashboard read latency; prints one JSON object.
Needs the stack: npm run stack -- up.

  --entry pipeline|kpi-stage   events enter at orders (default) or at orders.accepted (KPI stage only)
  --rates R[,R]                event rates to try, events/s, increasing (default 1000,2000,4000,8000)
  --seconds N                  measured seconds per rate (default 15)
  --read-seconds N             read benchmark duration (default 10)
  -h, --help                   this text`;

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const cli = commandLine({
    usage: USAGE,
    options: {
      entry: { type: 'choice', choices: ['pipeline', 'kpi-stage'] },
      rates: { type: 'list', value: 'a list of event rates, e.g. --rates 1000,2000,4000' },
      seconds: { type: 'number', min: 1 },
      'read-seconds': { type: 'number', min: 1 },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  const rates = parseOrExit(USAGE, () => v.rates?.map((r) => cli.number('--rates', r, { min: 1 })), () => false);
  runKpiBench({ entry: v.entry, rates, seconds: v.seconds, readSeconds: v['read-seconds'] }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      createLogger({ bench: 'kpi' }).error('KPI benchmark failed; is the stack up? (npm run stack -- status)', { err });
      process.exit(1);
    },
  );
}
