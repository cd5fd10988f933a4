/**
 * The one metrics module: every `orderpulse_*` series (name, help, labels, type) is declared in
 * SERIES below, and the small recorders the gateway, the connectors, the functions and the
 * dashboard use are built from it, so no caller restates a name or a label. Prometheus text
 * format through prom-client; docs/metrics.md lists the same series (a unit test keeps them equal).
 *
 * Labels stay bounded: function, topic, partition, HTTP status code, mode, reason, step, route —
 * never an order id, a call id or a URL with parameters.
 *
 * Where each series lives:
 * - the gateway process (dev/local/gateway.ts, `npm run pipeline`): invocations and durations,
 *   the async queue, and the connectors' series (the connectors run in that process);
 * - a function process (template/node24-ts): its own series in `processRegistry()`, served on
 *   `GET /_/metrics`; the local gateway sums them into its `GET /metrics` (functionsMetrics);
 * - `connectors/main.ts` on its own (docker compose): its own `/metrics` port (CONNECTORS_METRICS_PORT);
 * - the dashboard: its own `GET /metrics`.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, type Aggregator, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export type { Registry } from 'prom-client';

type Kind = 'counter' | 'gauge' | 'histogram';

export interface SeriesDef {
  kind: Kind;
  help: string;
  labels: readonly string[];
  /** Histograms: bucket upper bounds in seconds. */
  buckets?: readonly number[];
  /** How the local gateway combines the values of several processes (default sum). */
  aggregator?: Aggregator;
}

/** Seconds: 5 ms … 2 min (calls), with more room for slow archive or rebuild calls. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;
/** Seconds: event time to view time, 50 ms … 1 h (a backlog drains for minutes). */
const FRESHNESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600] as const;

export const SERIES = {
  // Gateway: every invocation it makes, sync (/function) and async (/async-function, per attempt).
  orderpulse_function_invocations_total: { kind: 'counter', help: 'Function invocations made by the gateway, by function, HTTP status code (0: no answer) and mode (sync, async).', labels: ['function', 'code', 'mode'] },
  orderpulse_function_duration_seconds: { kind: 'histogram', help: 'Duration of function invocations made by the gateway (until the answer headers; async: the whole buffered call).', labels: ['function', 'code', 'mode'], buckets: CALL_BUCKETS },
  orderpulse_gateway_async_queue_depth: { kind: 'gauge', help: 'Async calls queued or running in the gateway, by function.', labels: ['function'] },
  orderpulse_gateway_scrape_errors_total: { kind: 'counter', help: 'Function processes whose /_/metrics the gateway could not read while serving /metrics.', labels: ['function'] },

  // Kafka connector (ConnectorMetrics port, connectors/metrics.ts).
  orderpulse_connector_delivered_messages_total: { kind: 'counter', help: 'Kafka messages acknowledged (2xx) by the function they were delivered to.', labels: ['function', 'topic', 'partition'] },
  orderpulse_connector_delivered_chunks_total: { kind: 'counter', help: 'Chunks (one invocation each when no retry) acknowledged by the function.', labels: ['function', 'topic', 'partition'] },
  orderpulse_connector_delivery_duration_seconds: { kind: 'histogram', help: 'Time to deliver one chunk, retries included.', labels: ['function', 'topic'], buckets: CALL_BUCKETS },
  orderpulse_connector_retries_total: { kind: 'counter', help: 'Invocations whose answer made the connector try the same messages again, by status (0: no answer).', labels: ['function', 'topic', 'partition', 'code'] },
  orderpulse_connector_parked_batches_total: { kind: 'counter', help: 'Chunks that failed permanently and were written to the parking topic <topic>.parked.', labels: ['function', 'topic', 'partition'] },
  orderpulse_connector_parked_messages_total: { kind: 'counter', help: 'Messages in the parked chunks.', labels: ['function', 'topic', 'partition'] },
  orderpulse_connector_consumer_restarts_total: { kind: 'counter', help: 'Consumer crashes or unexpected stops followed by a restart.', labels: ['function', 'topic'] },
  orderpulse_connector_consumer_lag: { kind: 'gauge', help: 'Messages not yet delivered: high watermark minus the next offset (consumer group of the function), as last seen.', labels: ['function', 'topic', 'partition'] },

  // ingest function: its answer's counts, per process.
  orderpulse_ingest_batches_total: { kind: 'counter', help: 'Batches the ingest function processed to the end (answered 200).', labels: [] },
  orderpulse_ingest_events_in_total: { kind: 'counter', help: 'Events received by ingest (= accepted + duplicate + dlq for every batch).', labels: [] },
  orderpulse_ingest_events_accepted_total: { kind: 'counter', help: 'Events accepted: a new order stored and handed on to orders.accepted.', labels: [] },
  orderpulse_ingest_events_duplicate_total: { kind: 'counter', help: 'Events whose order was already stored with the same content (redelivery, replay).', labels: [] },
  orderpulse_ingest_events_dlq_total: { kind: 'counter', help: 'Events written to the DLQ, by reason (shared/contract DLQ_REASONS).', labels: ['reason'] },

  // archive-move function.
  orderpulse_archive_steps_total: { kind: 'counter', help: 'Archive batch steps recorded (frozen, written, verified, registered, deleted).', labels: ['step'] },
  orderpulse_archive_batches_total: { kind: 'counter', help: 'Archive batches driven to the end (deleted from the hot store).', labels: [] },
  orderpulse_archive_orders_total: { kind: 'counter', help: 'Orders moved to the archive.', labels: [] },
  orderpulse_archive_bytes_total: { kind: 'counter', help: 'Parquet bytes written to the archive by finished batches.', labels: [] },

  // cache-write function: KPI views.
  orderpulse_kpi_materializations_total: { kind: 'counter', help: 'KPI view materialisations, by whether they wrote newer views (true) or found them current (false).', labels: ['written'] },
  orderpulse_kpi_freshness_seconds: { kind: 'histogram', help: 'Event time to view time: when views including a batch were written minus the newest order_timestamp of that batch.', labels: [], buckets: FRESHNESS_BUCKETS },
  orderpulse_kpi_newest_event_timestamp_seconds: { kind: 'gauge', help: 'Newest order_timestamp (Unix seconds) in the materialised KPI views.', labels: [], aggregator: 'max' },
  orderpulse_kpi_views_timestamp_seconds: { kind: 'gauge', help: 'When the KPI views were last materialised (Unix seconds).', labels: [], aggregator: 'max' },

  // alert-deliver function (issue 11, docs/alert-delivery.md).
  orderpulse_alert_changes_total: { kind: 'counter', help: 'Alert changes read from the alerts topic, by result (applied, duplicate, stale, invalid).', labels: ['result'] },
  orderpulse_alert_webhook_attempts_total: { kind: 'counter', help: 'Alert webhook POSTs, by outcome (delivered, retry, give_up).', labels: ['outcome'] },
  orderpulse_alert_webhook_outbox: { kind: 'gauge', help: 'Alert changes waiting in the webhook outbox (due or backing off), as last seen.', labels: [], aggregator: 'max' },

  // Dashboard.
  orderpulse_dashboard_requests_total: { kind: 'counter', help: 'Dashboard HTTP requests, by route pattern and status code.', labels: ['route', 'code'] },
  orderpulse_dashboard_request_duration_seconds: { kind: 'histogram', help: 'Dashboard request duration (SSE: until the stream opens).', labels: ['route'], buckets: CALL_BUCKETS },
  orderpulse_dashboard_sse_clients: { kind: 'gauge', help: 'Connected Server-Sent Events clients.', labels: [] },
  orderpulse_dashboard_kpi_age_seconds: { kind: 'gauge', help: 'Age of the KPI views the dashboard serves now (now minus their as_of); -1 before any.', labels: [] },
} as const satisfies Record<string, SeriesDef>;

export type SeriesName = keyof typeof SERIES;

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function createRegistry(): Registry {
  return new Registry();
}

let processReg: Registry | undefined;

/** The registry of this process (a function process records into it; the template serves it on /_/metrics). */
export function processRegistry(): Registry {
  return (processReg ??= createRegistry());
}

type LabelsOf<N extends SeriesName> = (typeof SERIES)[N]['labels'][number];
type MetricOf<N extends SeriesName> = (typeof SERIES)[N]['kind'] extends 'counter'
  ? Counter<LabelsOf<N>>
  : (typeof SERIES)[N]['kind'] extends 'gauge'
    ? Gauge<LabelsOf<N>>
    : Histogram<LabelsOf<N>>;

/**
 * The series `name` in `reg`, created from its SERIES definition the first time (a second call
 * returns the same metric, so two recorders on one registry never clash). `collect` runs at scrape.
 */
export function series<N extends SeriesName>(reg: Registry, name: N, collect?: (m: MetricOf<N>) => void | Promise<void>): MetricOf<N> {
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as unknown as MetricOf<N>;
  const d: SeriesDef = SERIES[name];
  const base = {
    name,
    help: d.help,
    labelNames: [...d.labels],
    registers: [reg],
    ...(d.aggregator ? { aggregator: d.aggregator } : {}),
    ...(collect ? { collect(this: unknown) { return collect(this as MetricOf<N>); } } : {}),
  } as CounterConfiguration<string> & GaugeConfiguration<string>;
  if (d.kind === 'counter') return new Counter(base) as unknown as MetricOf<N>;
  if (d.kind === 'gauge') return new Gauge(base) as unknown as MetricOf<N>;
  return new Histogram({ ...(base as HistogramConfiguration<string>), buckets: [...(d.buckets ?? CALL_BUCKETS)] }) as unknown as MetricOf<N>;
}

/** An HTTP status as a label value: the code ("200", "503"), "0" when there was no answer. */
export function codeLabel(status: number | undefined): string {
  return status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : '0';
}

// ---------------------------------------------------------------------------------------------
// Recorders: one per component, typed, over one registry.

export interface GatewayMetrics {
  /** One invocation of `fn` answered `status` (0: none) after `seconds`. */
  invoked(fn: string, mode: 'sync' | 'async', status: number, seconds: number): void;
}

export function gatewayMetrics(reg: Registry, queueDepth?: () => Record<string, number>): GatewayMetrics {
  const calls = series(reg, 'orderpulse_function_invocations_total');
  const duration = series(reg, 'orderpulse_function_duration_seconds');
  if (queueDepth) {
    series(reg, 'orderpulse_gateway_async_queue_depth', (g) => {
      g.reset();
      for (const [fn, n] of Object.entries(queueDepth())) g.set({ function: fn }, n);
    });
  }
  series(reg, 'orderpulse_gateway_scrape_errors_total');
  return {
    invoked(fn, mode, status, seconds) {
      const labels = { function: fn, code: codeLabel(status), mode };
      calls.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/** What one ingest call counted (shared/ingest IngestCounts, structurally). */
export interface IngestCountsLike {
  received: number;
  accepted: number;
  duplicates: number;
  dlq: Partial<Record<string, number>>;
}

export interface IngestMetrics {
  batch(c: IngestCountsLike): void;
}

export function ingestMetrics(reg: Registry): IngestMetrics {
  const batches = series(reg, 'orderpulse_ingest_batches_total');
  const inn = series(reg, 'orderpulse_ingest_events_in_total');
  const accepted = series(reg, 'orderpulse_ingest_events_accepted_total');
  const duplicate = series(reg, 'orderpulse_ingest_events_duplicate_total');
  const dlq = series(reg, 'orderpulse_ingest_events_dlq_total');
  return {
    batch(c) {
      batches.inc();
      inn.inc(c.received);
      accepted.inc(c.accepted);
      duplicate.inc(c.duplicates);
      for (const [reason, n] of Object.entries(c.dlq)) if (n) dlq.inc({ reason }, n);
    },
  };
}

export interface ArchiveMetrics {
  step(step: string): void;
  batch(b: { orders: number; bytes: number }): void;
}

export function archiveMetrics(reg: Registry): ArchiveMetrics {
  const steps = series(reg, 'orderpulse_archive_steps_total');
  const batches = series(reg, 'orderpulse_archive_batches_total');
  const orders = series(reg, 'orderpulse_archive_orders_total');
  const bytes = series(reg, 'orderpulse_archive_bytes_total');
  return {
    step: (s) => steps.inc({ step: s }),
    batch(b) {
      batches.inc();
      orders.inc(b.orders);
      bytes.inc(b.bytes);
    },
  };
}

export interface KpiMetrics {
  /**
   * A materialisation finished at `viewMs` (epoch ms): `written` whether it wrote newer views,
   * `newestEventMs` the newest order time in them, `batchNewestMs` the newest order time of each
   * batch whose notice it answers (each gives one freshness sample).
   */
  materialized(r: { written: boolean; viewMs: number; newestEventMs: number | null; batchNewestMs: readonly number[] }): void;
}

export function kpiMetrics(reg: Registry): KpiMetrics {
  const runs = series(reg, 'orderpulse_kpi_materializations_total');
  const freshness = series(reg, 'orderpulse_kpi_freshness_seconds');
  const newest = series(reg, 'orderpulse_kpi_newest_event_timestamp_seconds');
  const views = series(reg, 'orderpulse_kpi_views_timestamp_seconds');
  return {
    materialized(r) {
      runs.inc({ written: String(r.written) });
      views.set(r.viewMs / 1000);
      if (r.newestEventMs !== null) newest.set(r.newestEventMs / 1000);
      for (const t of r.batchNewestMs) freshness.observe(Math.max(0, (r.viewMs - t) / 1000));
    },
  };
}

export interface AlertMetrics {
  /** One delivered batch's counts (shared/alerts/deliver.ts). */
  changes(c: Readonly<Record<'applied' | 'duplicate' | 'stale' | 'invalid', number>>): void;
  /** One webhook POST's outcome. */
  attempt(outcome: 'delivered' | 'retry' | 'give_up'): void;
  outboxDepth(n: number): void;
}

export function alertMetrics(reg: Registry): AlertMetrics {
  const changes = series(reg, 'orderpulse_alert_changes_total');
  const attempts = series(reg, 'orderpulse_alert_webhook_attempts_total');
  const depth = series(reg, 'orderpulse_alert_webhook_outbox');
  return {
    changes(c) {
      for (const [result, n] of Object.entries(c)) if (n > 0) changes.inc({ result }, n);
    },
    attempt: (outcome) => attempts.inc({ outcome }),
    outboxDepth: (n) => depth.set(n),
  };
}

export interface DashboardMetrics {
  request(route: string, status: number, seconds: number): void;
}

export function dashboardMetrics(reg: Registry, probes: { sseClients: () => number; kpiAsOf: () => string | null | Promise<string | null>; now?: () => number }): DashboardMetrics {
  const requests = series(reg, 'orderpulse_dashboard_requests_total');
  const duration = series(reg, 'orderpulse_dashboard_request_duration_seconds');
  series(reg, 'orderpulse_dashboard_sse_clients', (g) => g.set(probes.sseClients()));
  series(reg, 'orderpulse_dashboard_kpi_age_seconds', async (g) => {
    const asOf = await probes.kpiAsOf();
    const t = asOf === null ? NaN : Date.parse(asOf);
    g.set(Number.isFinite(t) ? Math.max(0, ((probes.now ?? Date.now)() - t) / 1000) : -1);
  });
  return {
    request(route, status, seconds) {
      requests.inc({ route, code: codeLabel(status) });
      duration.observe({ route }, seconds);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Combining processes (the local gateway's /metrics).

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * One registry summing the series of several processes (getMetricsAsJSON of each): counters and
 * histograms add up, gauges use their SERIES aggregator (sum unless said otherwise).
 */
export function combineMetrics(parts: readonly MetricsJson[]): Registry {
  return AggregatorRegistry.aggregate(parts.map((p) => p as never));
}
