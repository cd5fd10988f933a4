/**
 * Dashboard entry point: `tsx dashboard/server.ts [--help]` (port DASHBOARD_PORT, default 3000).
 * `startDashboard()` is also used by the pipeline runner and the tests.
 * Reads Redis only (never MongoDB). Clients are created once and closed on SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { RedisResultStore } from '../shared/analytics/adapters/redis-results.ts';
import { commandLine } from '../shared/platform/args.ts';
import { API_VIEWS, createApp, KPI_VIEW_HEADERS, type Asset } from './app.ts';
import { createFastReads } from './fast-reads.ts';
import { createChangeHub } from './hub.ts';
import { createResultsCache } from './results.ts';
import { createAlertsCache } from './alerts.ts';
import { RedisAlertStore } from '../shared/alerts/adapters/store-redis.ts';
import { createRegistry, dashboardMetrics } from '../shared/platform/metrics.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The page files and the vendor libraries, copied from node_modules into memory at start-up. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const pub = path.join(HERE, 'public');
  for (const f of ['index.html', 'app.js', 'style.css', 'favicon.svg']) {
    assets.set(f === 'index.html' ? '/' : `/${f}`, { body: await readFile(path.join(pub, f)), type: TYPES[path.extname(f)] ?? 'application/octet-stream' });
  }
  const require = createRequire(import.meta.url);
  const chartDir = path.dirname(require.resolve('chart.js'));
  assets.set('/vendor/chart.umd.min.js', { body: await readFile(path.join(chartDir, 'chart.umd.min.js')), type: TYPES['.js'] as string, immutable: true });
  return assets;
}

export interface Dashboard {
  url: string;
  port: number;
  store: RedisKpiStore;
  /** The batch results the dashboard serves (same prefix). */
  results: RedisResultStore;
  close(): Promise<void>;
}

export async function startDashboard(opts: { config?: Config; port?: number; host?: string; prefix?: string; log?: Logger } = {}): Promise<Dashboard> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ component: 'dashboard' });
  const store = RedisKpiStore.open(config.redisUrl, opts.prefix ?? config.kpiPrefix, 'orderpulse-dashboard', log);
  const results = RedisResultStore.open(config.redisUrl, opts.prefix ?? config.kpiPrefix, 'orderpulse-dashboard-results', log);
  const alertStore = RedisAlertStore.open(config.redisUrl, opts.prefix ?? config.kpiPrefix, 'orderpulse-dashboard-alerts', log);
  const closeStores = async (): Promise<void> => {
    await Promise.all([store.close(), results.close(), alertStore.close()]);
  };
  const hub = await createChangeHub({ readAllViews: () => store.readAllViews(), readVersion: () => store.readViewsVersion(), subscribe: (cb) => store.subscribeChanges(cb) }, log).catch(async (err: unknown) => {
    await closeStores();
    throw err;
  });
  const cache = await createResultsCache({ loadHistory: () => results.loadHistory(), loadQuality: () => results.loadQuality(), subscribe: (cb) => results.subscribeChanges(cb) }, log).catch(async (err: unknown) => {
    await hub.close();
    await closeStores();
    throw err;
  });
  const alerts = await createAlertsCache({ snapshot: () => alertStore.snapshot(), version: () => alertStore.version(), subscribe: (cb) => alertStore.subscribeChanges(cb) }, log).catch(async (err: unknown) => {
    await cache.close();
    await hub.close();
    await closeStores();
    throw err;
  });
  const registry = createRegistry();
  const recorder = dashboardMetrics(registry, {
    sseClients: () => hub.listeners(),
    kpiAsOf: async () => (JSON.parse((await hub.current()).views.summary) as { as_of?: string | null }).as_of ?? null,
  });
  const metrics = { recorder, render: () => registry.metrics() };
  const app = createApp({
    metrics,
    views: store,
    hub,
    results: cache,
    alerts,
    assets: await loadAssets(),
    log,
    maxSseClients: config.dashboardMaxSseClients,
    health: async () => {
      await store.ping();
      const [{ version }, rebuild, invalid, snap, alertSnap] = await Promise.all([store.readAllViews(), store.getRebuildStatus(), store.invalidCount(), cache.read(), alerts.read()]);
      const asOf = (json: string | null | undefined): string | null => (json ? ((JSON.parse(json) as { as_of?: string }).as_of ?? null) : null);
      return { redis: 'ok', views_version: version, rebuild, invalid_accepted_messages: invalid, history_as_of: asOf(snap.history?.views.summary), quality_as_of: asOf(snap.quality), sse_clients: hub.listeners(), open_alerts: (JSON.parse(alertSnap.payload) as { open: unknown[] }).open.length };
    },
  });
  // HOST (default 127.0.0.1; the compose service sets 0.0.0.0 to be reachable from outside).
  const host = opts.host ?? config.dashboardHost;
  const port = opts.port ?? config.dashboardPort;
  // The hot KPI reads are answered before Hono (dashboard/fast-reads.ts); everything else, and a
  // KPI read while the hub is not known fresh, goes through the Hono app.
  const fast = createFastReads({ hub, routes: Object.fromEntries(Object.entries(API_VIEWS).map(([seg, view]) => [`/api/kpis/${seg}`, view])), headers: KPI_VIEW_HEADERS, metrics: metrics.recorder });
  const viaHono = getRequestListener(app.fetch);
  const server = http.createServer((req, res) => {
    if (!fast(req, res)) void viaHono(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${actual}`;
  log.info('dashboard listening', { url, prefix: store.prefix });
  return {
    url,
    port: actual,
    store,
    results,
    async close() {
      await alerts.close();
      await cache.close();
      await hub.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await closeStores();
    },
  };
}

const USAGE = `Usage: tsx dashboard/server.ts

Serves the dashboard on HOST:DASHBOARD_PORT (default 127.0.0.1:3000), reading the KPIs from Redis (REDIS_URL).
Configuration is the environment (shared/platform/config.ts); SIGINT/SIGTERM stop it.

  -h, --help    this text`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  commandLine({ usage: USAGE, options: { help: { type: 'boolean', short: 'h' } } }).parseOrExit(process.argv.slice(2));
  const log = createLogger({ component: 'dashboard' });
  try {
    const d = await startDashboard({ log });
    process.stdout.write(`OrderPulse dashboard: ${d.url}/\n`);
    const stop = (signal: string): void => {
      log.info('stopping', { signal });
      d.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    log.error('dashboard failed to start; is Redis up? (npm run stack -- status)', { err });
    process.exit(1);
  }
}
