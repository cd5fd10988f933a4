/**
 * The hot KPI reads (`GET /api/kpis/<view>`) answered straight from `node:http`, before Hono.
 *
 * Profiled under wrk (docs/kpis.md, "Read path"): after the socket write itself, the largest cost of
 * a read was the Fetch-API round trip (a Request built per request, a Response and its Headers
 * object, the node-server adapter copying them back to `ServerResponse`) and the per-request
 * security-header loop. Here a read is one string compare, one Map lookup and one
 * `writeHead` + `end(Buffer)` with headers built once per snapshot.
 *
 * Freshness: the bytes come from the change hub's current snapshot, the same object the SSE
 * stream pushes, swapped in the same tick; a new snapshot drops the cached bytes, so a read never
 * serves a view older than the last SSE push. When the hub is not known fresh (Redis unreachable
 * or the change subscription lost for longer than its limit) the request falls through to Hono,
 * which reads Redis (or answers 503).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ViewName } from '../shared/kpi/types.ts';
import type { DashboardMetrics } from '../shared/platform/metrics.ts';
import type { ChangeHub, Snapshot } from './hub.ts';

/** A strong validator of a served body (the same bytes give the same tag, in every process). */
export function etagOf(body: string | Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

interface Prepared {
  body: Buffer;
  etag: string;
  /** Flat [name, value, …] for writeHead: the 200 and the 304. */
  ok: string[];
  notModified: string[];
}

/**
 * Returns a handler that answers the GET requests it knows (and returns true), and leaves every
 * other request to the caller (returns false). `routes`: URL path -> view; `headers`: the
 * response headers every 200 carries besides content-length and etag (content type, cache
 * control, the security headers).
 */
export function createFastReads(opts: { hub: Pick<ChangeHub, 'fresh'>; routes: Readonly<Record<string, ViewName>>; headers: Readonly<Record<string, string>>; metrics?: DashboardMetrics }): (req: IncomingMessage, res: ServerResponse) => boolean {
  const routes = new Map(Object.entries(opts.routes));
  const base = Object.entries(opts.headers).flat();
  const noBody = Object.entries(opts.headers)
    .filter(([k]) => k.toLowerCase() !== 'content-type')
    .flat();
  let snap: Snapshot | undefined;
  let prepared = new Map<string, Prepared>();

  const prepare = (s: Snapshot, path: string, view: ViewName): Prepared => {
    if (s !== snap) {
      snap = s;
      prepared = new Map();
    }
    let p = prepared.get(path);
    if (!p) {
      const body = Buffer.from(s.views[view]);
      const etag = etagOf(body);
      p = { body, etag, ok: [...base, 'etag', etag, 'content-length', String(body.length)], notModified: [...noBody, 'etag', etag] };
      prepared.set(path, p);
    }
    return p;
  };

  return (req, res) => {
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const view = routes.get(path);
    if (view === undefined) return false;
    const s = opts.hub.fresh();
    if (!s) return false;
    const t0 = opts.metrics ? performance.now() : 0;
    const p = prepare(s, path, view);
    if (req.headers['if-none-match'] === p.etag) {
      res.writeHead(304, p.notModified);
      res.end();
      opts.metrics?.request(path, 304, (performance.now() - t0) / 1000);
    } else {
      res.writeHead(200, p.ok);
      res.end(p.body);
      opts.metrics?.request(path, 200, (performance.now() - t0) / 1000);
    }
    return true;
  };
}
