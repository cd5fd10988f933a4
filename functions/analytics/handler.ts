/**
 * analytics (cron, every minute): recomputes all history (hot store + archive, each order once)
 * with the configured engine and stores the result in Redis (`<KPI_PREFIX>history`, replaced
 * whole; shared/analytics/run.ts).
 *   POST [{engine?: 'duckdb' | 'spark', scan?: true}] or ?engine=…&scan=1  run now; `engine`
 *        overrides ANALYTICS_ENGINE for this call (Airflow's spark_analytics_pipeline posts
 *        {"engine":"spark"}); `scan` makes DuckDB read the hot store itself this run instead of
 *        its incremental rows (a repair; placement is then measured); answers
 *        {engine, as_of, took_ms, orders, placement}
 *   GET  the stored result's header {engine, as_of, took_ms, summary}; 404 before the first run
 * One run at a time per process: a call arriving while a run is going answers 409
 * {code: 'busy', running: {engine, started_at}} at once (the cron connector already skips a tick
 * while the previous call runs, so only a second caller, e.g. Airflow, ever sees it). A failed run
 * writes nothing: the previous result stays served and its as_of shows its age. Engines are
 * opened once per process and keep their caches (DuckDB: the archive files' rows) between runs.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { NotFoundError, ValidationError } from '../../shared/platform/errors.ts';
import type { FnEvent } from '../../shared/platform/fn.ts';
import type { Config } from '../../shared/platform/config.ts';
import type { Logger } from '../../shared/platform/log.ts';
import type { AnalyticsEngine } from '../../shared/analytics/engine.ts';
import { runAnalytics } from '../../shared/analytics/run.ts';
import { ENGINE_NAMES, type EngineName } from '../../shared/analytics/types.ts';
import { openEngine, openResultStore } from '../../shared/analytics/adapters/open.ts';
import type { RedisResultStore } from '../../shared/analytics/adapters/redis-results.ts';

export type AnalyticsCall = { kind: 'status' } | { kind: 'run'; engine: EngineName | undefined; scan: boolean };

/** GET: the stored result's header; POST: run, `engine` from the JSON body or `?engine=`. */
export function parseAnalyticsCall(event: Pick<FnEvent, 'method' | 'body' | 'query'>): AnalyticsCall {
  if (event.method === 'GET') return { kind: 'status' };
  const body = event.body && typeof event.body === 'object' && !Buffer.isBuffer(event.body) ? (event.body as Record<string, unknown>) : {};
  const scanRaw = body.scan ?? event.query.scan;
  const scan = scanRaw === true || scanRaw === 'true' || scanRaw === '1';
  if (!scan && scanRaw !== undefined && scanRaw !== false && scanRaw !== 'false' && scanRaw !== '0' && scanRaw !== '') {
    throw new ValidationError('invalid_request', `scan must be true or false, got ${JSON.stringify(scanRaw)}`);
  }
  const engine = body.engine ?? event.query.engine;
  if (engine === undefined || engine === '') return { kind: 'run', engine: undefined, scan };
  if (typeof engine !== 'string' || !(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new ValidationError('invalid_request', `engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(engine)}`);
  }
  return { kind: 'run', engine: engine as EngineName, scan };
}

interface Running {
  engine: EngineName;
  started_at: string;
  done: Promise<unknown>;
}

interface Clients {
  config: Config;
  store: RedisResultStore;
  engines: Map<EngineName, AnalyticsEngine>;
  abort: AbortController;
  running: Running | undefined;
}

function engineOf(c: Clients, name: EngineName, log: Logger): AnalyticsEngine {
  let e = c.engines.get(name);
  if (!e) {
    e = openEngine(c.config, log, { engine: name });
    c.engines.set(name, e);
  }
  return e;
}

const fn = defineFunction({
  name: 'analytics',
  open: (config, log): Clients => ({ config, store: openResultStore(config, 'orderpulse-analytics', log), engines: new Map(), abort: new AbortController(), running: undefined }),
  parse: (event) => parseAnalyticsCall(event),
  async handle(call, ctx, c, log) {
    if (call.kind === 'status') {
      const last = await c.store.loadHistory();
      if (!last) throw new NotFoundError('analytics has not run yet (the cron connector runs it every minute; POST to run it now)');
      return { engine: last.engine, as_of: last.as_of, took_ms: last.took_ms, summary: last.summary };
    }
    const name = call.engine ?? c.config.analyticsEngine;
    if (c.running) {
      ctx.status(409);
      return { error: `an analytics run (${c.running.engine}, started ${c.running.started_at}) is going; retry when it is done`, code: 'busy', retriable: true, running: { engine: c.running.engine, started_at: c.running.started_at } };
    }
    const job = (async () => runAnalytics(engineOf(c, name, log), c.store, log, c.abort.signal, { scanHotStore: call.scan }))();
    c.running = { engine: name, started_at: new Date().toISOString(), done: job.catch(() => undefined) };
    try {
      const r = await job;
      return { engine: r.engine, as_of: r.as_of, took_ms: r.took_ms, orders: r.summary.orders, placement: r.placement };
    } finally {
      c.running = undefined;
    }
  },
  async health(clients) {
    const c = await clients();
    return { status: 'ok', running: c.running ? { engine: c.running.engine, started_at: c.running.started_at } : null };
  },
  async close(c) {
    c.abort.abort();
    await c.running?.done;
    await Promise.allSettled([...c.engines.values()].map((e) => e.close()));
    await c.store.close();
  },
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
