/**
 * The dashboard HTTP app (Hono): the KPI API of docs/contracts.md §5 served from Redis only (one GET of
 * a prebuilt JSON string per request), Server-Sent Events on every change, /healthz, and the
 * live page with its vendor libraries served locally (no CDN).
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errorBody, httpStatusOf } from '../shared/platform/errors.ts';
import type { Logger } from '../shared/platform/log.ts';
import type { ViewName } from '../shared/kpi/types.ts';
import type { ViewStore } from '../shared/kpi/store.ts';
import { emptyViews } from '../shared/kpi/views.ts';
import { payloadOf, type ChangeHub } from './hub.ts';

export interface Asset {
  body: string | Uint8Array;
  type: string;
  /** Long-lived cache for versioned vendor files; the page itself is always revalidated. */
  immutable?: boolean;
}

export interface DashboardDeps {
  views: Pick<ViewStore, 'readView' | 'readAllViews'>;
  hub: ChangeHub;
  /** Resolves with details when healthy; throws (DependencyError) when not. */
  health: () => Promise<Record<string, unknown>>;
  /** URL path -> file (e.g. "/" , "/app.js", "/vendor/chart.umd.min.js"). */
  assets: ReadonlyMap<string, Asset>;
  log: Logger;
  heartbeatMs?: number;
}

/** API path segment -> stored view. */
export const API_VIEWS: Readonly<Record<string, ViewName>> = {
  summary: 'summary',
  'revenue-per-minute': 'revenue_per_minute',
  'top-products': 'top_products',
  'orders-by-state': 'orders_by_state',
  payments: 'payments',
  segments: 'segments',
};

const EMPTY = emptyViews();
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function createApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  const heartbeatMs = deps.heartbeatMs ?? 15_000;

  app.onError((err, c) => {
    const status = httpStatusOf(err);
    if (status >= 500) deps.log.warn('dashboard request failed', { path: c.req.path, err });
    return c.json(errorBody(err), status as 500);
  });

  for (const [seg, view] of Object.entries(API_VIEWS)) {
    const empty = JSON.stringify(EMPTY[view]);
    app.get(`/api/kpis/${seg}`, async (c) => {
      // The hub's copy when it is known fresh (Redis-invalidated), else one GET from Redis.
      const cached = deps.hub.fresh()?.views[view];
      return c.body(cached ?? (await deps.views.readView(view)) ?? empty, 200, JSON_HEADERS);
    });
  }

  /** Every view in one document (the page's fallback refresh). */
  app.get('/api/kpis', async (c) => {
    const { version, views } = await deps.views.readAllViews();
    return c.body(payloadOf(version, views), 200, JSON_HEADERS);
  });

  app.get('/api/stream', (c) =>
    streamSSE(c, async (stream) => {
      let closed = false;
      const queue: string[] = [];
      let wake: (() => void) | undefined;
      const push = (payload: string): void => {
        // Only the newest payload matters to a client: drop older ones it has not received yet.
        queue.length = 0;
        queue.push(payload);
        wake?.();
      };
      const off = deps.hub.on((s) => push(s.payload));
      const hb = setInterval(() => {
        queue.push('');
        wake?.();
      }, heartbeatMs);
      stream.onAbort(() => {
        closed = true;
        off();
        clearInterval(hb);
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ heartbeat_ms: heartbeatMs }), retry: 2_000 });
      push((await deps.hub.current()).payload);
      try {
        while (!closed) {
          const next = queue.shift();
          if (next === undefined) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
            continue;
          }
          if (next === '') await stream.writeSSE({ event: 'ping', data: new Date().toISOString() });
          else await stream.writeSSE({ event: 'kpis', data: next });
        }
      } catch (err) {
        if (!closed) deps.log.debug('sse client went away', { err });
      } finally {
        off();
        clearInterval(hb);
      }
    }),
  );

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
