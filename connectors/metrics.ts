/**
 * What the Kafka connector reports about its delivery, as a port: the connector calls these hooks,
 * a metrics adapter (Prometheus text format) turns them into `orderpulse_*` series. The no-op
 * implementation is the default, so a connector without metrics wiring behaves the same.
 */
export interface ConnectorMetrics {
  /** A chunk of `messages` Kafka messages was acknowledged (2xx) by `fn` after `attempts` invocations taking `ms` in all. */
  delivered(fn: string, topic: string, partition: number, messages: number, attempts: number, ms: number): void;
  /** An invocation of `fn` answered `status` (0: no response) and the same messages will be tried again. */
  retried(fn: string, topic: string, partition: number, status: number): void;
  /** A chunk of `messages` messages failed permanently and was written to the parking topic. */
  parked(fn: string, topic: string, partition: number, messages: number): void;
  /** The consumer of `fn` on `topic` crashed or stopped unexpectedly and is being restarted. */
  consumerRestarted(fn: string, topic: string): void;
  /** Messages of `topic`/`partition` not yet delivered to `fn` (high watermark minus next offset), as last seen. */
  lag(fn: string, topic: string, partition: number, lag: number): void;
}

export const NO_CONNECTOR_METRICS: ConnectorMetrics = {
  delivered: () => undefined,
  retried: () => undefined,
  parked: () => undefined,
  consumerRestarted: () => undefined,
  lag: () => undefined,
};
