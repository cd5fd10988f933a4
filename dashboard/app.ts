/**
 * The dashboard HTTP app (Hono): the KPI API of docs/contracts.md §5 served from Redis only (one GET of
 * a prebuilt JSON string per request), the batch layer's history and quality (§10, from the
 * results cache), Server-Sent Events on every change, /healthz, /metrics (Prometheus text), and the live page with its vendor
 * libraries served locally (no CDN).
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errorBody, httpStatusOf, NotFoundError } from '../shared/platform/errors.ts';
import type { Logger } from '../shared/platform/log.ts';
import type { ViewName } from '../shared/kpi/types.ts';
import type { ViewStore } from '../shared/kpi/store.ts';
import { emptyViews } from '../shared/kpi/views.ts';
import { payloadOf, type ChangeHub } from './hub.ts';
import { etagOf } from './fast-reads.ts';
import { HISTORY_VIEW_NAMES, type ResultsCache } from './results.ts';
import { METRICS_CONTENT_TYPE, type DashboardMetrics } from '../shared/platform/metrics.ts';
import type { AlertsCache } from './alerts.ts';
import { EMPTY_SNAPSHOT } from '../shared/alerts/store.ts';

export interface Asset {
  body: string | Uint8Array;
  type: string;
  /** Long-lived cache for versioned vendor files; the page itself is always revalidated. */
  immutable?: boolean;
}

export interface DashboardDeps {
  views: Pick<ViewStore, 'readView' | 'readAllViews'>;
  hub: ChangeHub;
  /** The batch results (history views and quality report), Redis-invalidated. */
  results: ResultsCache;
  /** Open and recent alerts (issue 11), Redis-invalidated; absent: `GET /api/alerts` answers none. */
  alerts?: AlertsCache;
  /** Resolves with details when healthy; throws (DependencyError) when not. */
  health: () => Promise<Record<string, unknown>>;
  /** URL path -> file (e.g. "/" , "/app.js", "/vendor/chart.umd.min.js"). */
  assets: ReadonlyMap<string, Asset>;
  log: Logger;
  heartbeatMs?: number;
  /** Most concurrent /api/stream clients (DASHBOARD_MAX_SSE_CLIENTS, default 100); beyond: 503 + Retry-After. */
  maxSseClients?: number;
  /** Request metrics and the `GET /metrics` text (shared/platform/metrics.ts dashboardMetrics); none when absent. */
  metrics?: { recorder: DashboardMetrics; render: () => Promise<string> };
}

/**
 * The page loads only its own files (the vendor library is served from node_modules, no CDN), has
 * no inline script or style, and talks only to this origin (the JSON API and the SSE stream).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
/** Built once: the middleware sets them on every response without walking the object. */
const SECURITY_ENTRIES = Object.entries(SECURITY_HEADERS);

/** API path segment -> stored view. */
export const API_VIEWS: Readonly<Record<string, ViewName>> = {
  summary: 'summary',
  'revenue-per-minute': 'revenue_per_minute',
  'top-products': 'top_products',
  'orders-by-state': 'orders_by_state',
  payments: 'payments',
  segments: 'segments',
};

/** The 404 answers before the first batch run / quality check: what has not run, and how it runs. */
export const NO_HISTORY =
  'no history yet: the analytics function has not run yet (the cron connector runs it every minute; run it now with POST /function/analytics through the gateway)';
export const NO_QUALITY =
  'no data-quality report yet: the quality check has not run yet (Airflow\'s data_quality_monitoring runs it; run it now with POST /function/quality through the gateway)';

const EMPTY = emptyViews();
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
/**
 * The KPI views (`/api/kpis/<view>`): an ETag and `no-cache` (a client may keep a copy but must
 * revalidate it on every use: a 304 when unchanged, never a stale view). With the security headers,
 * these are every header a KPI read carries (dashboard/fast-reads.ts sends exactly these).
 */
export const KPI_VIEW_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', ...SECURITY_HEADERS };

export function createApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const maxSse = deps.maxSseClients ?? 100;
  let sseClients = 0;

  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of SECURITY_ENTRIES) c.res.headers.set(k, v);
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.use('*', async (c, next) => {
      const t0 = performance.now();
      await next();
      // The matched route pattern (bounded), never the raw path: pages and unknown paths are "/*".
      metrics.recorder.request(c.req.routePath, c.res.status, (performance.now() - t0) / 1000);
    });
    app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }));
  }

  app.onError((err, c) => {
    const status = httpStatusOf(err);
    if (status >= 500) deps.log.warn('dashboard request failed', { path: c.req.path, err });
    return c.json(errorBody(err), status as 500);
  });

  for (const [seg, view] of Object.entries(API_VIEWS)) {
    const empty = JSON.stringify(EMPTY[view]);
    app.get(`/api/kpis/${seg}`, async (c) => {
      // The hub's copy when it is known fresh (Redis-invalidated), else one GET from Redis. (The
      // server answers the fresh case before Hono, dashboard/fast-reads.ts; this is the fallback.)
      const cached = deps.hub.fresh()?.views[view];
      const body = cached ?? (await deps.views.readView(view)) ?? empty;
      const etag = etagOf(body);
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag, 'cache-control': KPI_VIEW_HEADERS['cache-control'] as string });
      return c.body(body, 200, { ...KPI_VIEW_HEADERS, etag });
    });
  }

  /** Every view in one document (the page's fallback refresh). */
  app.get('/api/kpis', async (c) => {
    const { version, views } = await deps.views.readAllViews();
    return c.body(payloadOf(version, views), 200, JSON_HEADERS);
  });

  for (const name of HISTORY_VIEW_NAMES) {
    app.get(`/api/history/${name}`, async (c) => {
      const h = (await deps.results.read()).history;
      if (!h) throw new NotFoundError(NO_HISTORY);
      return c.body(h.views[name], 200, JSON_HEADERS);
    });
  }

  /** The five history views in one document, keyed by route name (the page's fallback refresh). */
  app.get('/api/history', async (c) => {
    const h = (await deps.results.read()).history;
    if (!h) throw new NotFoundError(NO_HISTORY);
    return c.body(h.payload, 200, JSON_HEADERS);
  });

  app.get('/api/quality', async (c) => {
    const q = (await deps.results.read()).quality;
    if (q === null) throw new NotFoundError(NO_QUALITY);
    return c.body(q, 200, JSON_HEADERS);
  });

  /** Open and recent alerts (docs/alert-delivery.md): `{version, open, recent}`. */
  const noAlerts = JSON.stringify(EMPTY_SNAPSHOT);
  app.get('/api/alerts', async (c) => c.body(deps.alerts ? (await deps.alerts.read()).payload : noAlerts, 200, JSON_HEADERS));

  app.get('/api/stream', (c) => {
    if (sseClients >= maxSse) {
      deps.log.warn('sse client refused: too many clients', { clients: sseClients, max: maxSse });
      return c.json({ error: `too many live clients (${maxSse}, DASHBOARD_MAX_SSE_CLIENTS); retry later, or poll /api/kpis`, code: 'too_many_clients', retriable: true }, 503, { 'retry-after': '10' });
    }
    sseClients++;
    let counted = true;
    const release = (): void => {
      if (counted) sseClients--;
      counted = false;
    };
    return streamSSE(c, async (stream) => {
      let closed = false;
      // event -> data not yet sent. Only the newest data of each event matters to a client: a
      // newer one replaces an older one it has not received yet ('ping' carries no data).
      const queue = new Map<string, string>();
      let wake: (() => void) | undefined;
      const push = (event: string, data: string): void => {
        queue.delete(event);
        queue.set(event, data);
        wake?.();
      };
      const offKpis = deps.hub.on((s) => push('kpis', s.payload));
      const offResults = deps.results.on((doc, s) => push(doc, doc === 'history' ? (s.history?.payload ?? 'null') : (s.quality ?? 'null')));
      const offAlerts = deps.alerts?.on((a) => push('alerts', a.payload));
      const off = (): void => {
        offKpis();
        offResults();
        offAlerts?.();
      };
      const hb = setInterval(() => push('ping', ''), heartbeatMs);
      stream.onAbort(() => {
        release();
        closed = true;
        off();
        clearInterval(hb);
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ heartbeat_ms: heartbeatMs }), retry: 2_000 });
      push('kpis', (await deps.hub.current()).payload);
      try {
        // The batch results are optional on the stream: a failed read leaves the KPIs streaming.
        const r = await deps.results.current();
        if (!queue.has('history')) push('history', r.history?.payload ?? 'null');
        if (!queue.has('quality')) push('quality', r.quality ?? 'null');
      } catch (err) {
        deps.log.debug('sse: the batch results are not readable yet', { err });
      }
      if (deps.alerts) {
        try {
          // Optional too: a failed read leaves the KPIs streaming; the next change sends them.
          const a = await deps.alerts.current();
          if (!queue.has('alerts')) push('alerts', a.payload);
        } catch (err) {
          deps.log.debug('sse: the alerts are not readable yet', { err });
        }
      }
      try {
        while (!closed) {
          const next = queue.entries().next();
          if (next.done) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
            continue;
          }
          const [event, data] = next.value;
          queue.delete(event);
          await stream.writeSSE({ event, data: event === 'ping' ? new Date().toISOString() : data });
        }
      } catch (err) {
        if (!closed) deps.log.debug('sse client went away', { err });
      } finally {
        release();
        off();
        clearInterval(hb);
      }
    });
  });

  app.get('/healthz', async (c) => {
    try {
      return c.json({ status: 'ok', ...(await deps.health()) });
    } catch (err) {
      return c.json({ status: 'unhealthy', ...errorBody(err) }, 503);
    }
  });

  app.get('*', (c) => {
    const a = deps.assets.get(c.req.path === '/index.html' ? '/' : c.req.path);
    if (!a) return c.json({ error: `no such page: ${c.req.path}`, code: 'not_found', retriable: false }, 404);
    return c.body(a.body as string, 200, { 'content-type': a.type, 'cache-control': a.immutable ? 'public, max-age=86400' : 'no-cache' });
  });

  return app;
}
