/**
 * The ConnectorMetrics port (connectors/metrics.ts) in Prometheus form: the `orderpulse_connector_*`
 * series of shared/platform/metrics.ts, recorded in `reg` (the gateway's registry under
 * `npm run pipeline`, the connectors' own under connectors/main.ts).
 */
import { series, codeLabel, type Registry } from '../shared/platform/metrics.ts';
import type { ConnectorMetrics } from './metrics.ts';

export function promConnectorMetrics(reg: Registry): ConnectorMetrics {
  const messages = series(reg, 'orderpulse_connector_delivered_messages_total');
  const chunks = series(reg, 'orderpulse_connector_delivered_chunks_total');
  const duration = series(reg, 'orderpulse_connector_delivery_duration_seconds');
  const retries = series(reg, 'orderpulse_connector_retries_total');
  const parkedBatches = series(reg, 'orderpulse_connector_parked_batches_total');
  const parkedMessages = series(reg, 'orderpulse_connector_parked_messages_total');
  const restarts = series(reg, 'orderpulse_connector_consumer_restarts_total');
  const lag = series(reg, 'orderpulse_connector_consumer_lag');
  const where = (fn: string, topic: string, partition: number): { function: string; topic: string; partition: string } => ({ function: fn, topic, partition: String(partition) });
  return {
    delivered(fn, topic, partition, n, _attempts, ms) {
      const l = where(fn, topic, partition);
      messages.inc(l, n);
      chunks.inc(l);
      duration.observe({ function: fn, topic }, ms / 1000);
    },
    retried(fn, topic, partition, status) {
      retries.inc({ ...where(fn, topic, partition), code: codeLabel(status) });
    },
    parked(fn, topic, partition, n) {
      const l = where(fn, topic, partition);
      parkedBatches.inc(l);
      parkedMessages.inc(l, n);
    },
    consumerRestarted(fn, topic) {
      restarts.inc({ function: fn, topic });
    },
    lag(fn, topic, partition, n) {
      lag.set(where(fn, topic, partition), Math.max(0, n));
    },
  };
}

