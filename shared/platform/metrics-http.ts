/**
 * A minimal HTTP endpoint for a process that has no server of its own (connectors/main.ts):
 * `GET /metrics` answers the registry in Prometheus text format, `GET /healthz` 200, else 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE, type Registry } from './metrics.ts';
import type { Logger } from './log.ts';

export interface MetricsEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serveMetrics(opts: { registry: Registry; port: number; host?: string; log: Logger }): Promise<MetricsEndpoint> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
          res.end(text);
        },
        (err: unknown) => {
          opts.log.warn('metrics could not be rendered', { err });
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
      return;
    }
    res.writeHead(path === '/healthz' && req.method === 'GET' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(path === '/healthz' ? 'ok\n' : 'GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/metrics`;
  opts.log.info('metrics endpoint listening', { url });
  return {
    url,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
