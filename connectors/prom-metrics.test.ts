import { describe, expect, it } from 'vitest';
import { createRegistry } from '../shared/platform/metrics.ts';
import { promConnectorMetrics } from './prom-metrics.ts';

describe('promConnectorMetrics', () => {
  it('turns the ConnectorMetrics hooks into orderpulse_connector_* series', async () => {
    const reg = createRegistry();
    const m = promConnectorMetrics(reg);
    m.delivered('ingest', 'orders', 2, 500, 1, 40);
    m.delivered('ingest', 'orders', 2, 20, 3, 900);
    m.retried('ingest', 'orders', 2, 503);
    m.retried('ingest', 'orders', 2, 0);
    m.parked('ingest', 'orders', 1, 7);
    m.consumerRestarted('ingest', 'orders');
    m.lag('ingest', 'orders', 2, 12);
    m.lag('ingest', 'orders', 2, 0);
    const text = await reg.metrics();
    const has = (line: string): void => expect(text.split('\n')).toContain(line);
    has('orderpulse_connector_delivered_messages_total{function="ingest",topic="orders",partition="2"} 520');
    has('orderpulse_connector_delivered_chunks_total{function="ingest",topic="orders",partition="2"} 2');
    has('orderpulse_connector_delivery_duration_seconds_count{function="ingest",topic="orders"} 2');
    has('orderpulse_connector_retries_total{function="ingest",topic="orders",partition="2",code="503"} 1');
    has('orderpulse_connector_retries_total{function="ingest",topic="orders",partition="2",code="0"} 1');
    has('orderpulse_connector_parked_batches_total{function="ingest",topic="orders",partition="1"} 1');
    has('orderpulse_connector_parked_messages_total{function="ingest",topic="orders",partition="1"} 7');
    has('orderpulse_connector_consumer_restarts_total{function="ingest",topic="orders"} 1');
    has('orderpulse_connector_consumer_lag{function="ingest",topic="orders",partition="2"} 0');
  });
});
