/**
 * Local OpenFaaS-style gateway:
 *   ANY  /function/<name>[/path]        synchronous: streamed to the function process, status/headers kept
 *   POST /async-function/<name>[/path]  202 + X-Call-Id; queued (journaled), invoked later with retries;
 *                                       X-Callback-Url receives the result
 *   GET  /system/functions              the functions, like OpenFaaS (plus pid/port/status for local tools)
 *   GET  /system/function/<name>        one function
 *   GET  /system/function-pids          { name: pid | null } (tests SIGKILL a function, benchmarks read /proc)
 *   GET  /healthz                       the only route open without credentials
 *   GET  /metrics                       Prometheus text: the gateway's series (invocations, durations, async queue),
 *                                       the registry it was given (the connectors' series) and the sum of every
 *                                       running function process's /_/metrics (docs/metrics.md)
 * Every other route needs HTTP basic auth (credentials; 401 + WWW-Authenticate without them), as
 * OpenFaaS's gateway. /system/functions lists no environment values (they hold MONGO_URL and the
 * like). X-Callback-Url only to this gateway's /function/* or GATEWAY_CALLBACK_ALLOW (else 400).
 * The async queue is bounded in calls and bytes (429 + Retry-After when full).
 * While a function process is down (restarting), calls wait up to readyWaitMs, then get 503.
 * A function may run several replicas (replica-set.ts): each call goes to the ready replica with
 * the fewest calls in flight (ties round robin); a replica that is down gets none.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/platform/log.ts';
import type { FunctionDef } from '../../connectors/stackfile.ts';
import type { ReplicaSet } from './replica-set.ts';
import { AsyncQueue, type AsyncCall, type CallResult } from './async-queue.ts';
import type { AsyncJournal } from './async-journal.ts';
import type { BackoffPolicy } from '../../connectors/backoff.ts';
import { authHeaders, type GatewayCredentials } from '../../shared/adapters/gateway.ts';
import { checkBasicAuth, checkCallback, isOpenRoute, ownOrigins } from './gateway-policy.ts';
import { combineMetrics, createRegistry, gatewayMetrics, METRICS_CONTENT_TYPE, series, type MetricsJson, type Registry } from '../../shared/platform/metrics.ts';

export interface FunctionEntry {
  def: FunctionDef;
  /** Its replicas (one process each); undefined when the function is not running locally (see skipped). */
  proc: ReplicaSet | undefined;
  skipped?: string;
  invocations: number;
  createdAt: string;
}

export interface GatewayOptions {
  port: number;
  host?: string;
  functions: Map<string, FunctionEntry>;
  log: Logger;
  /** How long a call waits for a (re)starting function before 503. */
  readyWaitMs?: number;
  maxAsyncBodyBytes?: number;
  async?: { concurrency?: number; maxAttempts?: number; backoff?: BackoffPolicy };
  /** Basic-auth credentials every route but /healthz requires. */
  credentials: GatewayCredentials;
  /** Bounds of the async queue, all functions together (default 1,000 calls, 64 MiB). */
  asyncLimits?: { maxRequests?: number; maxBytes?: number };
  /** X-Callback-Url prefixes allowed besides this gateway's own /function/* (GATEWAY_CALLBACK_ALLOW). */
  callbackAllow?: string[];
  /** How long close() lets held async calls finish (default 10 s). */
  drainMs?: number;
  /** Durable async calls (dev/local/async-journal.ts); without it the queue is in memory only. */
  journal?: AsyncJournal;
  /** Where the gateway records its series, shared with in-process connectors (default: its own). */
  registry?: Registry;
}

export interface Gateway {
  url: string;
  port: number;
  queue: AsyncQueue;
  /** Take back the async calls an earlier run journaled, for the functions running now (call once they are registered). */
  restoreAsync(): { restored: number; waiting: number };
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

/** The gateway's own credentials stop at the gateway: functions never see them (nor does the async journal). */
const GATEWAY_ONLY = new Set(['authorization']);

export function forwardHeaders(h: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k.toLowerCase()) || GATEWAY_ONLY.has(k.toLowerCase())) continue;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(buf.length) });
  res.end(buf);
}

const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256 });

const CALL_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The call id of a request: the caller's X-Call-Id when it is a plain token (letters, digits,
 * `.`, `_`, `:`, `-`, at most 128), else a new UUID. The gateway sends it to the function (the
 * template puts it on every log line of the call) and back to the caller, on every attempt of
 * an async call, and to the X-Callback-Url.
 */
export function callIdOf(headers: http.IncomingHttpHeaders): string {
  const v = headers['x-call-id'];
  const given = Array.isArray(v) ? v[0] : v;
  return given !== undefined && CALL_ID.test(given) ? given : randomUUID();
}

/** Split "/function/<name>/rest?q" into name and "/rest?q". */
export function routeOf(url: string, prefix: string): { name: string; path: string } | undefined {
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  const m = /^([^/?#]+)(.*)$/.exec(rest);
  if (!m) return undefined;
  const tail = m[2] ?? '';
  return { name: decodeURIComponent(m[1]!), path: tail.startsWith('/') ? tail : `/${tail}` };
}

/** A function as /system/functions lists it: never its environment (values hold credentials). */
export function describeFunction(e: FunctionEntry): Record<string, unknown> {
  return {
    name: e.def.name,
    image: e.def.image,
    namespace: 'openfaas-fn',
    envProcess: 'node --import tsx template/node24-ts/index.ts',
    labels: e.def.labels,
    annotations: e.def.annotations,
    replicas: e.proc?.replicas.length ?? 0,
    availableReplicas: e.proc?.readyCount ?? 0,
    invocationCount: e.invocations,
    createdAt: e.createdAt,
    // Local runtime extras.
    status: e.skipped ? 'skipped' : (e.proc?.state ?? 'stopped'),
    ...(e.skipped ? { skipped: e.skipped } : {}),
    pid: e.proc?.pid ?? null,
    port: e.proc?.port ?? null,
    restarts: e.proc?.restarts ?? 0,
    scale: e.def.scale,
    replicaStatus: e.proc?.describe() ?? [],
    handler: e.def.handlerFile,
  };
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { log, functions } = opts;
  const readyWaitMs = opts.readyWaitMs ?? 30_000;
  let listeningPort = opts.port;
  const callbackPolicy = (): { ownOrigins: string[]; allow: string[] } => ({ ownOrigins: ownOrigins(listeningPort), allow: opts.callbackAllow ?? [] });
  const maxAsyncBody = opts.maxAsyncBodyBytes ?? 32 * 1024 * 1024;
  const registry = opts.registry ?? createRegistry();
  // The queue depth is read at scrape time only (the queue is created below).
  const metrics = gatewayMetrics(registry, () => Object.fromEntries([...functions.keys()].map((n) => [n, queue.depth(n)])));
  const secondsSince = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;

  /** Resolve a function that can take a call now, or answer the error and return undefined. */
  async function target(name: string, res: http.ServerResponse): Promise<{ entry: FunctionEntry; port: number; release(): void } | undefined> {
    const entry = functions.get(name);
    if (!entry) {
      sendJson(res, 404, { error: `function ${name} not found`, code: 'not_found', retriable: false });
      return undefined;
    }
    if (!entry.proc) {
      sendJson(res, 404, { error: `function ${name} is not running locally: ${entry.skipped ?? 'not started'}`, code: 'not_deployed', retriable: false });
      return undefined;
    }
    const lease = await entry.proc.acquire(readyWaitMs);
    if (!lease) {
      sendJson(res, 503, { error: `function ${name} is not ready (state ${entry.proc.state}); retry`, code: 'function_unavailable', retriable: true }, { 'retry-after': '1' });
      return undefined;
    }
    return { entry, port: lease.port, release: lease.release };
  }

  async function proxySync(name: string, path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const t = await target(name, res);
    if (!t) {
      req.resume();
      return;
    }
    t.entry.invocations++;
    const callId = callIdOf(req.headers);
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      res.on('close', t.release);
      const up = http.request(
        {
          host: '127.0.0.1',
          port: t.port,
          method: req.method,
          path,
          agent,
          headers: { ...forwardHeaders(req.headers), 'x-call-id': callId, 'x-forwarded-host': req.headers.host ?? '' },
        },
        (upRes) => {
          const secs = secondsSince(started);
          metrics.invoked(name, 'sync', upRes.statusCode ?? 0, secs);
          res.writeHead(upRes.statusCode ?? 502, { ...forwardHeaders(upRes.headers), 'x-call-id': callId, 'x-duration-seconds': secs.toFixed(6) });
          upRes.pipe(res);
          upRes.on('end', resolve);
          upRes.on('error', () => {
            res.destroy();
            resolve();
          });
        },
      );
      const timer = setTimeout(() => {
        up.destroy(new Error(`function ${name} did not answer within ${t.entry.def.timeoutMs} ms`));
      }, t.entry.def.timeoutMs);
      up.on('close', () => clearTimeout(timer));
      up.on('error', (err) => {
        const timedOut = err.message.includes('did not answer');
        if (!res.headersSent) metrics.invoked(name, 'sync', timedOut ? 504 : 502, secondsSince(started));
        log.warn('function call failed', { fn: name, callId, err: err.message });
        if (!res.headersSent) {
          sendJson(res, timedOut ? 504 : 502, { error: `function ${name}: ${err.message}`, code: timedOut ? 'function_timeout' : 'function_unavailable', retriable: true });
        } else res.destroy();
        resolve();
      });
      req.pipe(up);
      // The caller went away before the answer was complete: stop the upstream call too.
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
    });
  }

  async function invokeBuffered(call: AsyncCall): Promise<CallResult> {
    const entry = functions.get(call.fn);
    if (!entry?.proc) return { status: 404, headers: {}, body: Buffer.from(`function ${call.fn} is not running`) };
    const lease = await entry.proc.acquire(readyWaitMs);
    if (!lease) return { status: 503, headers: {}, body: Buffer.alloc(0), error: `function ${call.fn} is not ready` };
    entry.invocations++;
    const started = process.hrtime.bigint();
    try {
      const r = await fetch(`http://127.0.0.1:${lease.port}${call.path}`, {
        method: call.method,
        headers: { ...call.headers, 'x-call-id': call.callId },
        body: call.method === 'GET' || call.method === 'HEAD' ? undefined : (call.body as Buffer<ArrayBuffer>),
        signal: AbortSignal.timeout(entry.def.timeoutMs),
      });
      const headers: Record<string, string> = {};
      r.headers.forEach((v, k) => (headers[k] = v));
      const body = Buffer.from(await r.arrayBuffer());
      metrics.invoked(call.fn, 'async', r.status, secondsSince(started));
      return { status: r.status, headers, body };
    } catch (err) {
      metrics.invoked(call.fn, 'async', 0, secondsSince(started));
      return { status: 0, headers: {}, body: Buffer.alloc(0), error: (err as Error).message };
    } finally {
      lease.release();
    }
  }

  const queue = new AsyncQueue({
    invoke: invokeBuffered,
    callback: async (url, call, result, durationMs) => {
      // Only a callback to this gateway's own functions carries its credentials.
      const own = checkCallback(url, callbackPolicy());
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          ...(own.ok && own.own ? authHeaders(opts.credentials) : {}),
          'content-type': result.headers['content-type'] ?? 'application/octet-stream',
          'x-call-id': call.callId,
          'x-function-name': call.fn,
          'x-function-status': String(result.status),
          'x-duration-seconds': (durationMs / 1000).toFixed(3),
        },
        body: result.body as Buffer<ArrayBuffer>,
        signal: AbortSignal.timeout(30_000),
      });
      await r.arrayBuffer();
      if (r.status >= 500) throw new Error(`callback answered ${r.status}`);
    },
    log: log.child({ component: 'async' }),
    concurrency: opts.async?.concurrency ?? 1,
    maxAttempts: opts.async?.maxAttempts ?? 10,
    maxRequests: opts.asyncLimits?.maxRequests ?? 1000,
    maxBytes: opts.asyncLimits?.maxBytes ?? 64 * 1024 * 1024,
    backoff: opts.async?.backoff ?? { initialMs: 500, maxMs: 30_000 },
    ...(opts.journal ? { journal: opts.journal } : {}),
  });

  /** The gateway's registry plus every ready function process's series (all replicas), summed per series. */
  async function renderMetrics(): Promise<string> {
    const scrapeErrors = series(registry, 'orderpulse_gateway_scrape_errors_total');
    const processes = [...functions.values()].flatMap((e) => (e.proc?.replicas ?? []).map((p) => ({ e, p })));
    const parts: MetricsJson[] = await Promise.all(
      processes.map(async ({ e, p }): Promise<MetricsJson> => {
        if (p.state !== 'ready' || p.port === undefined) return [];
        try {
          const r = await fetch(`http://127.0.0.1:${p.port}/_/metrics`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(2000) });
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return (await r.json()) as MetricsJson;
        } catch (err) {
          scrapeErrors.inc({ function: e.def.name });
          log.debug('function metrics not read', { fn: e.def.name, err });
          return [];
        }
      }),
    );
    return combineMetrics([await registry.getMetricsAsJSON(), ...parts]).metrics();
  }

  async function enqueueAsync(name: string, path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const entry = functions.get(name);
    if (!entry || !entry.proc) {
      req.resume();
      sendJson(res, 404, { error: `function ${name} ${entry ? `is not running locally: ${entry.skipped ?? ''}` : 'not found'}`, code: 'not_found', retriable: false });
      return;
    }
    const callbackUrl = req.headers['x-callback-url'] as string | undefined;
    if (callbackUrl !== undefined) {
      const v = checkCallback(callbackUrl, callbackPolicy());
      if (!v.ok) {
        req.resume();
        sendJson(res, 400, { error: v.reason, code: 'callback_not_allowed', retriable: false });
        return;
      }
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > maxAsyncBody) {
        sendJson(res, 413, { error: `async body exceeds ${maxAsyncBody} bytes`, code: 'payload_too_large', retriable: false }, { connection: 'close' });
        req.destroy();
        return;
      }
      chunks.push(c);
    }
    const callId = callIdOf(req.headers);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(forwardHeaders(req.headers))) {
      if (k === 'content-length' || k === 'x-callback-url') continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const call: AsyncCall = {
      callId,
      fn: name,
      method: req.method ?? 'POST',
      path,
      headers,
      body: Buffer.concat(chunks),
      callbackUrl,
      enqueuedAt: Date.now(),
    };
    const taken = queue.enqueue(call);
    if (!taken.ok) {
      log.warn('async call refused', { fn: name, callId, reason: taken.reason, detail: taken.detail });
      if (taken.reason === 'full') sendJson(res, 429, { error: `async queue is full: ${taken.detail}; retry later`, code: 'queue_full', retriable: true }, { 'retry-after': '5' });
      else sendJson(res, 503, { error: `${taken.detail}; retry`, code: taken.reason === 'journal' ? 'journal_unavailable' : 'unavailable', retriable: true }, { 'retry-after': '5' });
      return;
    }
    log.info('async call queued', { fn: name, callId, bytes: call.body.length, depth: queue.depth(name) });
    res.writeHead(202, { 'x-call-id': callId, 'content-length': '0' });
    res.end();
  }

  /** Basic auth on every route but /healthz: false (and 401 answered) when missing or wrong. */
  function authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (isOpenRoute(req.method, (req.url ?? '/').split('?')[0]!)) return true;
    if (checkBasicAuth(req.headers.authorization, opts.credentials)) return true;
    req.resume();
    sendJson(
      res,
      401,
      { error: 'unauthorized: this gateway needs HTTP basic auth (GATEWAY_USER / GATEWAY_PASSWORD; `npm run pipeline` prints them, or read <ORDERPULSE_HOME>/gateway/password)', code: 'unauthorized', retriable: false },
      { 'www-authenticate': 'Basic realm="OrderPulse gateway", charset="UTF-8"' },
    );
    return false;
  }

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!authorized(req, res)) return;
    const handle = async (): Promise<void> => {
      let r = routeOf(url, '/function/');
      if (r) return proxySync(r.name, r.path, req, res);
      r = routeOf(url, '/async-function/');
      if (r) {
        if (req.method !== 'POST' && req.method !== 'PUT') return sendJson(res, 405, { error: 'use POST for async calls', code: 'method_not_allowed', retriable: false });
        return enqueueAsync(r.name, r.path, req, res);
      }
      const path = url.split('?')[0];
      if (req.method === 'GET' && path === '/healthz') {
        const states = Object.fromEntries([...functions.values()].map((e) => [e.def.name, e.skipped ? 'skipped' : (e.proc?.state ?? 'stopped')]));
        return sendJson(res, 200, { status: 'ok', functions: states });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const text = await renderMetrics();
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      if (req.method === 'GET' && path === '/system/functions') return sendJson(res, 200, [...functions.values()].map(describeFunction));
      if (req.method === 'GET' && path === '/system/function-pids') {
        return sendJson(res, 200, Object.fromEntries([...functions.values()].map((e) => [e.def.name, e.proc?.pid ?? null])));
      }
      const one = routeOf(url, '/system/function/');
      if (req.method === 'GET' && one) {
        const e = functions.get(one.name);
        return e ? sendJson(res, 200, describeFunction(e)) : sendJson(res, 404, { error: `function ${one.name} not found`, code: 'not_found', retriable: false });
      }
      sendJson(res, 404, { error: `no route for ${req.method} ${path}`, code: 'not_found', retriable: false });
    };
    handle().catch((err: unknown) => {
      log.error('gateway error', { err, url });
      sendJson(res, 500, { error: String(err), code: 'internal', retriable: true });
    });
  });
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`gateway port ${opts.port} is in use: is another pipeline running? (set GATEWAY_PORT)`, { cause: err }) : err),
    );
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  listeningPort = port;
  const url = `http://127.0.0.1:${port}`;
  log.info('gateway listening', { url });

  return {
    url,
    port,
    queue,
    restoreAsync() {
      const r = queue.restore((fn) => functions.get(fn)?.proc !== undefined);
      if (r.restored > 0 || r.waiting > 0) log.info('async calls restored from the journal', { restored: r.restored, waitingForTheirFunction: r.waiting, journal: opts.journal?.dir });
      if (r.unreadable.length > 0) log.error('unreadable async journal files left in place', { files: r.unreadable, journal: opts.journal?.dir });
      return { restored: r.restored, waiting: r.waiting };
    },
    async close() {
      const held = queue.held();
      if (held.calls > 0) log.info('gateway stopping: letting held async calls finish', { calls: held.calls, waitMs: opts.drainMs ?? 10_000 });
      const dropped = await queue.close(opts.drainMs ?? 10_000);
      if (dropped.length > 0) {
        if (opts.journal) log.warn('async calls not run before the stop stay in the journal: they run after the next start', { calls: dropped.length, journal: opts.journal.dir });
        else log.error('async calls dropped at shutdown (the queue is in memory): re-issue them', { dropped: dropped.length, callIds: dropped.slice(0, 100) });
      }
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
