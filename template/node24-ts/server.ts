/**
 * The HTTP server of the node24-ts template: serves any method on any path by calling the
 * function's `default export async (event, context)`, like the OpenFaaS node templates, and
 * `/_/health`, and `GET /_/metrics`: the process's `orderpulse_*` series (shared/platform/metrics.ts
 * processRegistry) in Prometheus text, or as prom-client JSON with `Accept: application/json`
 * (what the local gateway sums into its /metrics). Under of-watchdog (mode=http) it listens on 127.0.0.1:3000; locally the
 * supervisor passes a free port.
 *
 * Each invocation runs inside a log context (shared/platform/log.ts withLogContext): every line
 * any logger writes while the handler runs carries the gateway's call id (X-Call-Id) and, for a
 * Kafka delivery, topic, partition, firstOffset and lastOffset.
 */
import http from 'node:http';
import type { FnContext, FnEvent, Handler } from '../../shared/platform/fn.ts';
import { errorBody, httpStatusOf } from '../../shared/platform/errors.ts';
import { withLogContext, type Logger } from '../../shared/platform/log.ts';
import { METRICS_CONTENT_TYPE, processRegistry } from '../../shared/platform/metrics.ts';
import { buildEvent, callLogFields, deliveryLogFields, encodeResult } from './event.ts';

/** What a handler module may export. Only `default` is required. */
export interface HandlerModule {
  default: Handler;
  /** Optional readiness check: false / throw -> 503. An object is sent as the health body. */
  health?: () => unknown;
  /** Optional clean-up on SIGTERM (close Kafka/MongoDB/Redis clients). */
  shutdown?: () => unknown;
}

export interface ServerOptions {
  maxBodyBytes: number;
  log: Logger;
}

export interface FunctionServer {
  server: http.Server;
  inFlight(): number;
  /** Stop accepting, wait for in-flight requests (at most graceMs), then call the module's shutdown(). */
  shutdown(graceMs: number): Promise<void>;
}

export const HEALTH_PATH = '/_/health';
export const METRICS_PATH = '/_/metrics';

class PayloadTooLarge extends Error {}

interface Outcome {
  ok: boolean;
  value: unknown;
}

class Context implements FnContext {
  statusCode: number | undefined;
  headerValues: Record<string, string> = {};
  settled: Outcome | undefined;
  private resolve: ((o: Outcome) => void) | undefined;
  readonly done: Promise<Outcome>;

  constructor() {
    this.done = new Promise((r) => (this.resolve = r));
  }
  status(code: number): FnContext {
    if (!Number.isInteger(code) || code < 100 || code > 599) throw new TypeError(`context.status(${code}): not an HTTP status`);
    this.statusCode = code;
    return this;
  }
  headers(values: Record<string, string>): FnContext {
    Object.assign(this.headerValues, values);
    return this;
  }
  succeed(value: unknown): FnContext {
    this.settle({ ok: true, value });
    return this;
  }
  fail(err: unknown): FnContext {
    this.settle({ ok: false, value: err });
    return this;
  }
  settle(o: Outcome): void {
    if (this.settled) return;
    this.settled = o;
    this.resolve?.(o);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new PayloadTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new PayloadTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const buf = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { ...extra, 'content-type': 'application/json; charset=utf-8', 'content-length': String(buf.length) });
  res.end(buf);
}

export function createFunctionServer(mod: HandlerModule, opts: ServerOptions): FunctionServer {
  const { log } = opts;
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  async function health(res: http.ServerResponse): Promise<void> {
    if (draining) return sendJson(res, 503, { status: 'shutting down' });
    if (!mod.health) return sendJson(res, 200, { status: 'ok' });
    try {
      const r = await mod.health();
      if (r === false) return sendJson(res, 503, { status: 'unhealthy' });
      sendJson(res, 200, r !== null && typeof r === 'object' ? r : { status: 'ok' });
    } catch (err) {
      sendJson(res, 503, { status: 'unhealthy', ...errorBody(err) });
    }
  }

  function sendError(res: http.ServerResponse, ctx: Context | undefined, err: unknown): void {
    const explicit = ctx?.statusCode;
    const status = explicit !== undefined && explicit >= 400 ? explicit : httpStatusOf(err);
    if (status >= 500) log.error('function failed', { status, err });
    else log.warn('function rejected request', { status, err });
    sendJson(res, status, errorBody(err), ctx?.headerValues);
  }

  async function invoke(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readBody(req, opts.maxBodyBytes);
    } catch (err) {
      if (err instanceof PayloadTooLarge) {
        sendJson(res, 413, { error: `request body exceeds ${opts.maxBodyBytes} bytes (MAX_BODY_BYTES)`, code: 'payload_too_large', retriable: false }, { connection: 'close' });
        // Do not keep reading an oversize upload.
        res.on('finish', () => req.destroy());
        return;
      }
      throw err;
    }
    const ctx = new Context();
    let event: FnEvent;
    try {
      event = buildEvent(req, raw);
    } catch (err) {
      return sendError(res, ctx, err);
    }
    return withLogContext(deliveryLogFields(event), () => respond(event, ctx, res));
  }

  async function respond(event: FnEvent, ctx: Context, res: http.ServerResponse): Promise<void> {
    Promise.resolve()
      .then(() => mod.default(event, ctx))
      .then(
        (value) => ctx.settle({ ok: true, value }),
        (err: unknown) => ctx.settle({ ok: false, value: err }),
      );
    const outcome = await ctx.done;
    if (res.headersSent || res.destroyed) return;
    if (!outcome.ok) return sendError(res, ctx, outcome.value);
    const { body, contentType } = encodeResult(outcome.value);
    const headers: Record<string, string> = { ...ctx.headerValues };
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
    if (!hasType && contentType) headers['content-type'] = contentType;
    headers['content-length'] = String(body.length);
    res.writeHead(ctx.statusCode ?? 200, headers);
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === HEALTH_PATH && req.method === 'GET') {
      void health(res);
      return;
    }
    if (path === METRICS_PATH && req.method === 'GET') {
      const json = (req.headers.accept ?? '').includes('application/json');
      const reg = processRegistry();
      (json ? reg.getMetricsAsJSON().then((m) => JSON.stringify(m)) : reg.metrics()).then(
        (body) => {
          res.writeHead(200, { 'content-type': json ? 'application/json; charset=utf-8' : METRICS_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)) });
          res.end(body);
        },
        (err: unknown) => sendJson(res, 500, errorBody(err)),
      );
      return;
    }
    if (draining) {
      sendJson(res, 503, { error: 'function is shutting down', code: 'shutting_down', retriable: true }, { connection: 'close', 'retry-after': '1' });
      return;
    }
    inFlight++;
    withLogContext(callLogFields(req.headers), () =>
      invoke(req, res)
        .catch((err: unknown) => {
          if (!res.headersSent) sendError(res, undefined, err);
          else res.destroy();
        })
        .finally(() => {
          inFlight--;
          if (draining && inFlight === 0) drained?.();
        }),
    );
  });
  // Long-running functions (archive-move) must not be cut by Node's defaults; of-watchdog enforces exec_timeout.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    inFlight: () => inFlight,
    async shutdown(graceMs) {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        log.info('draining in-flight requests', { inFlight, graceMs });
        await Promise.race([new Promise<void>((r) => (drained = r)), new Promise<void>((r) => setTimeout(r, graceMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
      if (mod.shutdown) {
        try {
          await mod.shutdown();
        } catch (err) {
          log.error('handler shutdown() failed', { err });
        }
      }
    },
  };
}
