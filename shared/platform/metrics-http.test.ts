import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';
import { createRegistry, ingestMetrics, METRICS_CONTENT_TYPE } from './metrics.ts';
import { serveMetrics, type MetricsEndpoint } from './metrics-http.ts';

describe('serveMetrics', () => {
  let ep: MetricsEndpoint | undefined;
  afterEach(async () => {
    await ep?.close();
  });

  it('answers GET /metrics in Prometheus text, /healthz 200, anything else 404', async () => {
    const registry = createRegistry();
    ingestMetrics(registry).batch({ received: 2, accepted: 2, duplicates: 0, dlq: {} });
    ep = await serveMetrics({ registry, port: 0, log: createLogger({}, () => undefined) });
    const r = await fetch(ep.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
    expect((await r.text()).split('\n')).toContain('orderpulse_ingest_events_in_total 2');
    expect((await fetch(ep.url.replace('/metrics', '/healthz'))).status).toBe(200);
    expect((await fetch(ep.url.replace('/metrics', '/other'))).status).toBe(404);
  });
});
