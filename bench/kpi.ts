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
 * 2. read throughput against its ceiling (issue 10, item 4): `wrk -t2 -c100 -d10s --latency` on
 *    /api/kpis/summary and on a bare `node:http` server answering the same bytes (same status,
 *    headers and body, recorded from one dashboard answer; bench/read-load.ts), alternated
 *    bare/ours/ours/bare twice in the same run; ratio = mean ours / mean bare (target ≥ 0.8).
 * 3. read latency at a fixed rate: 2,000 requests/s over 100 keep-alive connections, open loop
 *    (bench/read-load.ts, its own process): p50/p99 from each request's due time (target p99 ≤ 5 ms).
 *
 * `npx tsx bench/kpi.ts [--entry pipeline|kpi-stage] [--rates 1000,2000,4000] [--seconds 15] [--read-seconds 10] [--read-only] [--skip-read] [--help]`
 * prints one JSON object. Needs the stack: `npm run stack -- up`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
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
import type { OpenLoopResult, ReadSample } from './read-load.ts';
import { freePort } from '../dev/testing/free-port.ts';

const run = promisify(execFile);

export interface KpiBenchOptions {
  /**
   * "pipeline" (default): events enter at Kafka `orders` (ingest -> MongoDB -> orders.accepted -> KPI stage).
   * "kpi-stage": validated events enter at `orders.accepted` (aggregate -> cache-write -> dashboard
   * only): the KPI stage's own share of the latency, without the hot-store write.
   */
  entry?: 'pipeline' | 'kpi-stage';
  /** Event rates to try, events/s, increasing (default 1000, 2000, 5000, 8000: the target is at 5,000; stops at the first not sustained). */
  rates?: number[];
  /** Measured seconds per rate (default 15). */
  seconds?: number;
  /** Read benchmark duration (default 10 s) and connections (default 100). */
  readSeconds?: number;
  connections?: number;
  /** Open-loop read rates, requests/s (default 2000, the target's). */
  readRates?: number[];
  /** Skip the event -> KPI latency rates (a short warm-up still fills the KPIs): the read parts only. */
  readOnly?: boolean;
  /** Skip the read parts (wrk, open loop): the event -> KPI latency only. */
  skipRead?: boolean;
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
  /** The same wrk on a bare node:http server answering the same bytes, alternated with ours. */
  read_ceiling: ReadCeiling;
  /** Open loop at a fixed request rate over 100 connections: what a reader sees at that load. */
  read_open_loop: (OpenLoopResult & { server: 'ours' | 'bare'; ok: boolean })[];
  /** `uptime`'s load averages at the start and end of the read parts (the machine is shared). */
  read_load_average: { before: number[]; after: number[] };
  targets: { p95_ms: number; read_p99_ms: number; read_ratio: number };
}

export interface ReadCeiling {
  /** Each wrk run in order: bare, ours, ours, bare, bare, ours, ours, bare (each half the read seconds, at least 3 s). */
  runs: { server: 'ours' | 'bare'; requests_per_s: number; p99_ms: number; errors: number }[];
  ours_requests_per_s: number;
  bare_requests_per_s: number;
  /** ours / bare (mean of each side's runs). */
  ratio: number;
  ok: boolean;
  /** Bytes per answer (headers + body), ours and bare: the same when the comparison is fair. */
  response_bytes: { ours: number; bare: number };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const round = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

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
  const { stdout } = await run(WRK, ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', url], { timeout: (seconds + 30) * 1000 });
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

/** One dashboard answer, recorded for the bare server: its headers (without those node adds) and body. */
async function recordSample(url: string): Promise<{ sample: ReadSample; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers: string[] = [];
          const raw = res.rawHeaders;
          let headerBytes = 'HTTP/1.1 200 OK\r\n'.length + 2;
          for (let i = 0; i < raw.length; i += 2) {
            const [k, v] = [raw[i] as string, raw[i + 1] as string];
            headerBytes += k.length + v.length + 4;
            if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k.toLowerCase())) headers.push(k, v);
          }
          resolve({ sample: { headers, body: body.toString('base64') }, bytes: headerBytes + body.length });
        });
      })
      .on('error', reject);
  });
}

const READ_LOAD = path.join(ROOT, 'bench/read-load.ts');

/** bench/read-load.ts bare, on a free port, answering `sample`. */
async function startBareServer(sample: ReadSample): Promise<{ url: string; child: ChildProcess }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orderpulse-read-'));
  const file = path.join(dir, 'sample.json');
  await writeFile(file, JSON.stringify(sample));
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [READ_LOAD, 'bare', '--sample', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bare node:http server exited (${code}) before listening`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function openLoopRead(url: string, rate: number, seconds: number, connections: number): Promise<OpenLoopResult> {
  const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), [READ_LOAD, 'open-loop', '--url', url, '--rate', String(rate), '--seconds', String(seconds), '--connections', String(connections)], { cwd: ROOT, timeout: (seconds + 60) * 1000 });
  return JSON.parse(stdout) as OpenLoopResult;
}

async function loadAverage(): Promise<number[]> {
  const { stdout } = await run('cat', ['/proc/loadavg']);
  return stdout.trim().split(/\s+/).slice(0, 3).map(Number);
}

/** wrk on the bare server and on ours, alternated. */
async function readCeiling(ours: string, bare: string, seconds: number, connections: number, bytes: { ours: number; bare: number }): Promise<{ ceiling: ReadCeiling; first: KpiBenchResult['read'] }> {
  const runs: ReadCeiling['runs'] = [];
  let first: KpiBenchResult['read'] | undefined;
  // Short runs, alternated (ABBA twice), so that a burst of load from elsewhere on the shared
  // machine falls on both sides rather than on one.
  const each = Math.max(3, Math.round(seconds / 2));
  for (const server of ['bare', 'ours', 'ours', 'bare', 'bare', 'ours', 'ours', 'bare'] as const) {
    const r = await readBench(server === 'ours' ? ours : bare, each, connections);
    if (server === 'ours') first ??= r;
    runs.push({ server, requests_per_s: r.requests_per_s, p99_ms: r.p99_ms, errors: r.errors });
  }
  const mean = (s: 'ours' | 'bare'): number => {
    const xs = runs.filter((r) => r.server === s).map((r) => r.requests_per_s);
    return Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  };
  const ratio = round2(mean('ours') / mean('bare'));
  return { ceiling: { runs, ours_requests_per_s: mean('ours'), bare_requests_per_s: mean('bare'), ratio, ok: ratio >= 0.8, response_bytes: bytes }, first: first as KpiBenchResult['read'] };
}

export async function runKpiBench(o: KpiBenchOptions = {}): Promise<KpiBenchResult> {
  const log = o.log ?? createLogger({ bench: 'kpi' });
  const rates = o.rates ?? [1000, 2000, 5000, 8000];
  const seconds = o.seconds ?? 15;
  const entry = o.entry ?? 'pipeline';
  const p = await startKpiPipeline('bench', { quiet: true, functions: entry === 'kpi-stage' ? ['aggregate', 'cache-write', 'kpi-rebuild'] : undefined });
  const topic = entry === 'kpi-stage' ? p.config.topics.accepted : p.config.topics.orders;
  let dash: { url: string; child: ChildProcess } | undefined;
  let bare: { url: string; child: ChildProcess } | undefined;
  try {
    dash = await startDashboardProcess(p.env);
    // warm-up: functions loaded, clients connected, the first reconcile of the empty prefix done
    await measureRate(p, dash.url, 200, 3, 1, log, topic);
    const latency: LatencyResult[] = [];
    for (const [i, rate] of (o.readOnly ? [] : rates).entries()) {
      log.info('measuring event -> KPI latency', { rate, seconds });
      const r = await measureRate(p, dash.url, rate, seconds, 100 + i, log, topic);
      log.info('latency', { ...r });
      latency.push(r);
      if (!r.sustained) break;
    }
    if (o.skipRead) {
      const la = await loadAverage();
      const none = { tool: 'skipped', connections: 0, seconds: 0, requests_per_s: NaN, p50_ms: NaN, p90_ms: NaN, p99_ms: NaN, errors: 0 };
      return {
        entry,
        latency,
        at_1000: latency.find((r) => r.rate === 1000),
        highest_sustained: [...latency].reverse().find((r) => r.sustained),
        read: none,
        read_ceiling: { runs: [], ours_requests_per_s: NaN, bare_requests_per_s: NaN, ratio: NaN, ok: false, response_bytes: { ours: 0, bare: 0 } },
        read_open_loop: [],
        read_load_average: { before: la, after: la },
        targets: { p95_ms: 1000, read_p99_ms: 5, read_ratio: 0.8 },
      };
    }
    const readSeconds = o.readSeconds ?? 10;
    const connections = o.connections ?? 100;
    const summaryUrl = `${dash.url}/api/kpis/summary`;
    log.info('measuring read throughput against a bare node:http server', { connections });
    const before = await loadAverage();
    const { sample, bytes } = await recordSample(summaryUrl);
    bare = await startBareServer(sample);
    const bareBytes = (await recordSample(bare.url)).bytes;
    const { ceiling: read_ceiling, first: read } = await readCeiling(summaryUrl, bare.url, readSeconds, connections, { ours: bytes, bare: bareBytes });
    const read_open_loop: KpiBenchResult['read_open_loop'] = [];
    for (const r of o.readRates ?? [2000]) {
      log.info('measuring read latency at a fixed rate', { rate: r, connections });
      for (const [server, url] of [['ours', summaryUrl], ['bare', bare.url]] as const) {
        const res = await openLoopRead(url, r, readSeconds, connections);
        read_open_loop.push({ server, ...res, ok: res.p99_ms <= 5 && res.errors === 0 });
      }
    }
    const after = await loadAverage();
    return {
      entry,
      latency,
      at_1000: latency.find((r) => r.rate === 1000),
      highest_sustained: [...latency].reverse().find((r) => r.sustained),
      read,
      read_ceiling,
      read_open_loop,
      read_load_average: { before, after },
      targets: { p95_ms: 1000, read_p99_ms: 5, read_ratio: 0.8 },
    };
  } finally {
    dash?.child.kill('SIGTERM');
    bare?.child.kill('SIGTERM');
    await p.close();
  }
}

const USAGE = `Usage: npx tsx bench/kpi.ts [options]

Event-to-KPI latency at increasing rates, and dashboard read latency; prints one JSON object.
Needs the stack: npm run stack -- up.

  --entry pipeline|kpi-stage   events enter at orders (default) or at orders.accepted (KPI stage only)
  --rates R[,R]                event rates to try, events/s, increasing (default 1000,2000,5000,8000)
  --seconds N                  measured seconds per rate (default 15)
  --read-seconds N             each read measurement's duration (default 10)
  --read-only                  only the read parts (wrk against a bare node:http server, fixed 2,000 req/s)
  --skip-read                  only the event -> KPI latency (no read parts)
  -h, --help                   this text`;

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const cli = commandLine({
    usage: USAGE,
    options: {
      entry: { type: 'choice', choices: ['pipeline', 'kpi-stage'] },
      rates: { type: 'list', value: 'a list of event rates, e.g. --rates 1000,2000,4000' },
      seconds: { type: 'number', min: 1 },
      'read-seconds': { type: 'number', min: 1 },
      'read-only': { type: 'boolean' },
      'skip-read': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  const rates = parseOrExit(USAGE, () => v.rates?.map((r) => cli.number('--rates', r, { min: 1 })), () => false);
  runKpiBench({ entry: v.entry, rates, seconds: v.seconds, readSeconds: v['read-seconds'], readOnly: v['read-only'], skipRead: v['skip-read'] }).then(
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
