/**
 * The read benchmark's two helpers (issue 10, item 4), each run as its own process by bench/kpi.ts
 * so that neither shares an event loop with the pipeline or with the server it measures:
 *
 * - `bare --sample FILE`: the ceiling, a bare `node:http` server answering every request with the
 *   status, headers and body recorded in FILE (JSON `{ headers: [name, value, …], body: base64 }`,
 *   taken from one dashboard answer, so both send the same bytes). Prints `port N` when listening.
 * - `open-loop --url U --rate R --seconds S --connections C`: a constant-rate load (wrk2's model):
 *   request i is due at t0 + i/R whatever the previous answers did, over C keep-alive connections;
 *   latency is timed from the due time (a late client or a full connection pool counts against the
 *   server: no coordinated omission), and also from the actual write for reference. Raw keep-alive
 *   sockets, not http.Agent (the client shares the cores with the server). Prints one JSON object
 *   (OpenLoopResult).
 *
 * `npx tsx bench/read-load.ts bare --sample FILE` · `npx tsx bench/read-load.ts open-loop --url http://127.0.0.1:3000/api/kpis/summary --rate 2000`
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';

export interface ReadSample {
  /** Flat [name, value, …] as given to writeHead (no date, connection, keep-alive, content-length: node adds them). */
  headers: string[];
  /** The body, base64. */
  body: string;
}

export interface OpenLoopResult {
  rate: number;
  connections: number;
  seconds: number;
  requests: number;
  /** Requests sent per second (below `rate` when the client itself could not keep up). */
  achieved_rate: number;
  /** From the due time (what the target is judged on). */
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** From the request's write on its connection (the client's lateness and pool queueing excluded). */
  sent_p99_ms: number;
  errors: number;
}

const pct = (sorted: Float64Array, p: number): number => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : NaN);
const r2 = (x: number): number => Math.round(x * 100) / 100;

export function bareServer(sample: ReadSample): http.Server {
  const body = Buffer.from(sample.body, 'base64');
  const headers = [...sample.headers, 'content-length', String(body.length)];
  return http.createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
}

/**
 * One keep-alive HTTP/1.1 connection that sends a GET and reads one answer with a Content-Length
 * at a time (our servers' answers; no chunked bodies). Raw `net` rather than `http.Agent`: the
 * client shares the 2 cores with the server it measures, so it should cost as little as it can.
 */
class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private done: ((ok: boolean) => void) | undefined;
  readonly sock: net.Socket;
  constructor(host: string, port: number, onClose: () => void) {
    this.sock = net.connect({ host, port, noDelay: true });
    this.sock.on('data', (d: Buffer) => this.read(d));
    this.sock.on('error', () => undefined);
    this.sock.on('close', () => {
      this.finish(false);
      onClose();
    });
  }
  send(request: Buffer, done: (ok: boolean) => void): void {
    this.done = done;
    this.sock.write(request);
  }
  private read(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buf.length < end + 4 + len) return;
    this.buf = this.buf.subarray(end + 4 + len);
    this.finish(head.startsWith('HTTP/1.1 200'));
  }
  private finish(ok: boolean): void {
    const d = this.done;
    this.done = undefined;
    d?.(ok);
  }
}

export async function openLoop(o: { url: string; rate: number; seconds: number; connections: number }): Promise<OpenLoopResult> {
  const target = new URL(o.url);
  const host = target.hostname;
  const port = Number(target.port || 80);
  const request = Buffer.from(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`, 'latin1');
  let errors = 0;
  let closing = false;
  const idle: Conn[] = [];
  /** Requests due while every connection was busy: [index, due]. */
  const waiting: [number, number][] = [];
  let onAnswer: (k: number, due: number, sent: number, ok: boolean) => void = () => undefined;
  const dispatch = (c: Conn, k: number, due: number): void => {
    const sent = performance.now();
    c.send(request, (ok) => {
      onAnswer(k, due, sent, ok);
      const next = waiting.shift();
      if (next) dispatch(c, next[0], next[1]);
      else idle.push(c);
    });
  };
  const open = (): Conn => {
    const c: Conn = new Conn(host, port, () => {
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      if (!closing) idle.push(open());
    });
    return c;
  };
  const start = (k: number, due: number): void => {
    const c = idle.pop();
    if (c) dispatch(c, k, due);
    else waiting.push([k, due]);
  };
  for (let i = 0; i < o.connections; i++) idle.push(open());
  // Warm every connection (and both ends) with three rounds, then forget those answers.
  for (let round = 0; round < 3; round++) {
    let left = o.connections;
    await new Promise<void>((resolve) => {
      onAnswer = () => {
        if (--left === 0) resolve();
      };
      for (let i = 0; i < o.connections; i++) start(-1, performance.now());
    });
  }
  const total = Math.round(o.rate * o.seconds);
  const fromDue = new Float64Array(total);
  const fromSend = new Float64Array(total);
  let answered = 0;
  let allAnswered: () => void = () => undefined;
  const finished = new Promise<void>((r) => (allAnswered = r));
  onAnswer = (k, due, sent, ok) => {
    const t = performance.now();
    fromDue[k] = t - due;
    fromSend[k] = t - sent;
    if (!ok) errors++;
    if (++answered === total) allAnswered();
  };
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const now = performance.now();
    // Start every request already due (never one early), then sleep until the next is due.
    for (; i < total && t0 + (i * 1000) / o.rate <= now; i++) start(i, t0 + (i * 1000) / o.rate);
    if (i < total) await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i * 1000) / o.rate - performance.now())));
  }
  const sendSeconds = (performance.now() - t0) / 1000;
  await finished;
  closing = true;
  for (const c of idle) c.sock.destroy();
  fromDue.sort();
  fromSend.sort();
  return {
    rate: o.rate,
    connections: o.connections,
    seconds: o.seconds,
    requests: total,
    achieved_rate: Math.round(total / sendSeconds),
    p50_ms: r2(pct(fromDue, 50)),
    p99_ms: r2(pct(fromDue, 99)),
    max_ms: r2(fromDue[total - 1] ?? NaN),
    sent_p99_ms: r2(pct(fromSend, 99)),
    errors,
  };
}

const USAGE = `Usage: npx tsx bench/read-load.ts bare --sample FILE
       npx tsx bench/read-load.ts open-loop --url URL [--rate 2000] [--seconds 10] [--connections 100]

bare: a bare node:http server answering the bytes in FILE on a free port (prints "port N").
open-loop: constant-rate GETs of URL; prints p50/p99 from each request's due time as JSON.

  -h, --help    this text`;

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const cli = commandLine({
    usage: USAGE,
    positionals: 1,
    options: {
      sample: { type: 'string', value: 'a JSON file { headers, body }' },
      url: { type: 'string', value: 'the URL to load' },
      rate: { type: 'number', min: 1 },
      seconds: { type: 'number', min: 1 },
      connections: { type: 'number', min: 1, integer: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values: v, positionals } = cli.parseOrExit(process.argv.slice(2));
  const mode = positionals[0];
  if (mode === 'bare' && v.sample) {
    const s = bareServer(JSON.parse(await readFile(v.sample, 'utf8')) as ReadSample);
    s.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(s.address() as AddressInfo).port}\n`));
    process.on('SIGTERM', () => process.exit(0));
  } else if (mode === 'open-loop' && v.url) {
    process.stdout.write(JSON.stringify(await openLoop({ url: v.url, rate: v.rate ?? 2000, seconds: v.seconds ?? 10, connections: v.connections ?? 100 })) + '\n');
    process.exit(0);
  } else {
    process.stderr.write(USAGE + '\n');
    process.exit(2);
  }
}
