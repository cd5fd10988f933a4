/**
 * The one configuration module. Reads and validates the environment once, at start-up;
 * every default works on a bare machine. The README lists every variable here.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Config {
  /** Folder for downloaded jars, binaries, service data and logs (git-ignored). */
  localDir: string;
  kafkaBrokers: string[];
  kafkaPort: number;
  kafkaControllerPort: number;
  /** Kafka connector: park a chunk after this many identical permanent answers in a row (KAFKA_PARK_AFTER). */
  kafkaParkAfter: number;
  /** Set when MONGO_URL was given: use that server instead of the local FerretDB. */
  mongoExternal: boolean;
  mongoUrl: string;
  mongoPort: number;
  /** FERRETDB_BACKEND: the local FerretDB's storage, `sqlite` (default) or `postgresql` (dev/stack/postgres.ts). */
  ferretdbBackend: 'sqlite' | 'postgresql';
  /** POSTGRES_PORT (default 5432): the local PostgreSQL that FerretDB uses when FERRETDB_BACKEND=postgresql. */
  postgresPort: number;
  mongoDb: string;
  redisUrl: string;
  redisPort: number;
  gatewayPort: number;
  gatewayUrl: string;
  dashboardPort: number;
  /** connectors/main.ts's own `GET /metrics` port (CONNECTORS_METRICS_PORT, default 9464; 0: none). */
  connectorsMetricsPort: number;
  /** How often the connectors measure consumer lag (METRICS_LAG_INTERVAL_MS, default 5000; 0: never). */
  lagIntervalMs: number;
  webhdfsPort: number;
  hdfsPort: number;
  hivePort: number;
  /** Kafka Connect REST port of the peer benchmark's standalone worker (KAFKA_CONNECT_PORT, default 8383). */
  kafkaConnectPort: number;
  topics: { orders: string; dlq: string; accepted: string; deltas: string };
  archiveThresholdMb: number;
  archiveLowWaterFraction: number;
  archiveUrl: string;
  /** Largest archive-move batch (orders frozen and written at once). */
  archiveMaxBatch: number;
  hiveMetastoreUri: string | undefined;
  maxEventBytes: number;
  /** Prefix of every KPI key and channel in Redis (KPI_PREFIX; tests use their own). */
  kpiPrefix: string;
  /** Exactly-once marks of counted order_ids kept at least this long (KPI_DEDUPE_HORIZON_HOURS; default 0 = for ever, the contract's guarantee; a horizon is opt-in). docs/kpis.md "Redis memory". */
  kpiDedupeHorizonHours: number;
  logLevel: string;
  /** A function closes and reopens its clients after this many retriable 5xx answers in a row (FUNCTION_REOPEN_AFTER; 0 = never). */
  functionReopenAfter: number;
  /** Kafka client of ingest's producer (INGEST_PRODUCER): @platformatic/kafka (default, ~4x less CPU per message) or kafkajs. docs/kafka.md "Producing". */
  ingestProducer: 'platformatic' | 'kafkajs';
  /** Batch analytics engine (ANALYTICS_ENGINE): DuckDB embedded (default) or Spark over the network. */
  analyticsEngine: 'duckdb' | 'spark';
  /** DuckDB's hot rows (ANALYTICS_HOT_READ): follow orders.accepted between hot-store scans (default) or re-read the hot store every run. */
  analyticsHotRead: 'incremental' | 'full';
  /** Incremental: re-read the hot store every this many runs as a repair (ANALYTICS_FULL_EVERY; 0 = only at start). */
  analyticsFullEvery: number;
  /** Local Spark standalone cluster: master RPC, REST submission, master and worker web UIs. */
  sparkMasterPort: number;
  sparkRestPort: number;
  sparkMasterUiPort: number;
  sparkWorkerUiPort: number;
  /** Spark master (SPARK_MASTER_URL, spark://…) and its REST submission server (SPARK_REST_URL). */
  sparkMasterUrl: string;
  sparkRestUrl: string;
  /** Airflow 3 API server (AIRFLOW_URL, default http://127.0.0.1:AIRFLOW_PORT) and its admin password, when given. */
  airflowPort: number;
  airflowUrl: string;
  airflowPassword: string | undefined;
  /** Gateway basic auth (issue 9): user (GATEWAY_USER, default admin), password (GATEWAY_PASSWORD), else read from gatewayPasswordFile. */
  gatewayUser: string;
  gatewayPassword: string | undefined;
  /** GATEWAY_PASSWORD_FILE, default <ORDERPULSE_HOME>/gateway/password (the local pipeline generates it, mode 0600, when missing). */
  gatewayPasswordFile: string;
  /** Local runtime: replicas per function, `ingest=4,aggregate=2` (FUNCTION_REPLICAS; default: com.openfaas.scale.min of stack.yml). */
  functionReplicas: Record<string, number>;
  /** X-Callback-Url prefixes the gateway may call besides its own /function/* (GATEWAY_CALLBACK_ALLOW, comma-separated). */
  gatewayCallbackAllow: string[];
  /** Bounds of the gateway's async queue, over all functions (ASYNC_QUEUE_MAX_REQUESTS, ASYNC_QUEUE_MAX_BYTES). */
  asyncQueueMaxRequests: number;
  asyncQueueMaxBytes: number;
  /** MongoDB write concern `w` of every client (MONGO_WRITE_CONCERN: majority (default) or a number of members). */
  mongoWriteConcern: 'majority' | number;
  /** Replication factor and min.insync.replicas of the topics the set-up step creates (default 1: the one local broker). */
  kafkaReplicationFactor: number;
  kafkaMinInsyncReplicas: number;
  /** Dashboard listen address (HOST, default 127.0.0.1; compose sets 0.0.0.0) and most concurrent SSE clients (DASHBOARD_MAX_SSE_CLIENTS). */
  dashboardHost: string;
  dashboardMaxSseClients: number;
  /**
   * Alerts (issue 11, docs/alert-delivery.md). TOPIC_ALERTS (default `alerts`): the detector writes
   * AlertChange records there and alert-deliver reads them. Kept out of `topics` on purpose: tests
   * delete `Object.values(config.topics)` when they clean up and must not delete the shared topic.
   */
  alertsTopic: string;
  /** ALERT_WEBHOOK_URL: POST every alert change there (http(s), no credentials in the URL); none = no webhook. */
  alertWebhookUrl: string | undefined;
  /** ALERT_WEBHOOK_SECRET: when set, each POST carries an HMAC-SHA256 signature (X-OrderPulse-Signature). */
  alertWebhookSecret: string | undefined;
  /** ALERT_WEBHOOK_SECRET_FILE: the secret read from this file instead (an OpenFaaS secret); not with ALERT_WEBHOOK_SECRET. */
  alertWebhookSecretFile: string | undefined;
  /** Attempts per change before giving up (ALERT_WEBHOOK_MAX_ATTEMPTS, default 8). */
  alertWebhookMaxAttempts: number;
  /** First retry delay, doubled per attempt up to 5 min (ALERT_WEBHOOK_BACKOFF_MS, default 1000). */
  alertWebhookBackoffMs: number;
  /** One POST's timeout (ALERT_WEBHOOK_TIMEOUT_MS, default 5000). */
  alertWebhookTimeoutMs: number;
  /** Recent alerts kept in Redis (ALERT_RECENT_MAX, default 200; also at most 7 days of event time). */
  alertRecentMax: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min = 1, max = 65535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}=${raw} must be an integer in [${min}, ${max}]`);
  return n;
}

function num(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${name}=${raw} must be a number in [${min}, ${max}]`);
  return n;
}

function url(env: Env, name: string, def: string, protocols: string[]): string {
  const raw = env[name] || def;
  let u: URL;
  try {
    u = new URL(raw);
  } catch (cause) {
    throw new ConfigError(`${name}=${raw} is not a URL`, { cause });
  }
  if (!protocols.includes(u.protocol)) throw new ConfigError(`${name}=${raw} must use one of ${protocols.join(', ')}`);
  return raw;
}

function writeConcern(env: Env): Config['mongoWriteConcern'] {
  const raw = env.MONGO_WRITE_CONCERN;
  if (raw === undefined || raw === '' || raw === 'majority') return 'majority';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 50) throw new ConfigError(`MONGO_WRITE_CONCERN=${raw} must be majority or a number of members (0-50)`);
  return n;
}

function callbackAllow(env: Env): string[] {
  const raw = env.GATEWAY_CALLBACK_ALLOW ?? '';
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of list) url({ GATEWAY_CALLBACK_ALLOW: u }, 'GATEWAY_CALLBACK_ALLOW', u, ['http:', 'https:']);
  return list;
}

/** ALERT_WEBHOOK_URL: operator configuration, checked like the gateway's callbacks (http(s), no credentials in the URL). */
function webhookUrl(env: Env): string | undefined {
  const raw = env.ALERT_WEBHOOK_URL;
  if (raw === undefined || raw === '') return undefined;
  const u = new URL(url(env, 'ALERT_WEBHOOK_URL', raw, ['http:', 'https:']));
  if (u.username || u.password) throw new ConfigError('ALERT_WEBHOOK_URL must not carry credentials; set ALERT_WEBHOOK_SECRET to sign the requests instead');
  return raw;
}

/** ALERT_WEBHOOK_SECRET or ALERT_WEBHOOK_SECRET_FILE (read when the deliverer starts), not both. */
function webhookSecret(env: Env): { alertWebhookSecret: string | undefined; alertWebhookSecretFile: string | undefined } {
  const secret = env.ALERT_WEBHOOK_SECRET || undefined;
  const file = env.ALERT_WEBHOOK_SECRET_FILE || undefined;
  if (secret !== undefined && file !== undefined) throw new ConfigError('set ALERT_WEBHOOK_SECRET or ALERT_WEBHOOK_SECRET_FILE, not both');
  return { alertWebhookSecret: secret, alertWebhookSecretFile: file === undefined ? undefined : path.resolve(file) };
}

/** `ingest=4,aggregate=2` -> { ingest: 4, aggregate: 2 } (FUNCTION_REPLICAS and `npm run pipeline -- --replicas`). */
export function parseReplicaCounts(raw: string, name = 'FUNCTION_REPLICAS'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(\d+)$/.exec(item);
    const n = m ? Number(m[2]) : 0;
    if (!m || n < 1 || n > 64) throw new ConfigError(`${name}: "${item}" must be <function>=<replicas>, replicas 1-64 (e.g. ingest=4,aggregate=2)`);
    out[m[1]!] = n;
  }
  return out;
}

function engine(env: Env): Config['analyticsEngine'] {
  const raw = env.ANALYTICS_ENGINE;
  if (raw === undefined || raw === '') return 'duckdb';
  if (raw !== 'duckdb' && raw !== 'spark') throw new ConfigError(`ANALYTICS_ENGINE=${raw} must be duckdb or spark`);
  return raw;
}

function ingestProducer(env: Env): Config['ingestProducer'] {
  const raw = env.INGEST_PRODUCER;
  if (raw === undefined || raw === '') return 'platformatic';
  if (raw !== 'platformatic' && raw !== 'kafkajs') throw new ConfigError(`INGEST_PRODUCER=${raw} must be platformatic or kafkajs`);
  return raw;
}

function hotRead(env: Env): Config['analyticsHotRead'] {
  const raw = env.ANALYTICS_HOT_READ;
  if (raw === undefined || raw === '') return 'incremental';
  if (raw !== 'incremental' && raw !== 'full') throw new ConfigError(`ANALYTICS_HOT_READ=${raw} must be incremental or full`);
  return raw;
}

function kpiPrefix(env: Env): string {
  const raw = env.KPI_PREFIX;
  if (raw === undefined || raw === '') return 'op:kpi:';
  if (!/^[A-Za-z0-9:_.{}-]{1,64}$/.test(raw)) throw new ConfigError(`KPI_PREFIX=${raw} must be 1-64 characters of A-Z a-z 0-9 : _ . - { }`);
  return raw;
}

function ferretdbBackend(env: Env): Config['ferretdbBackend'] {
  const raw = env.FERRETDB_BACKEND;
  if (raw === undefined || raw === '') return 'sqlite';
  if (raw === 'sqlite' || raw === 'postgresql') return raw;
  throw new ConfigError(`FERRETDB_BACKEND=${raw} must be sqlite or postgresql`);
}

export function loadConfig(env: Env = process.env): Config {
  const localDir = path.resolve(env.ORDERPULSE_HOME || path.join(ROOT, '.local'));
  const kafkaPort = int(env, 'KAFKA_PORT', 9092);
  const mongoPort = int(env, 'MONGO_PORT', 27017);
  const redisPort = int(env, 'REDIS_PORT', 6379);
  const gatewayPort = int(env, 'GATEWAY_PORT', 8080);
  const brokers = (env.KAFKA_BROKERS || `127.0.0.1:${kafkaPort}`).split(',').map((s) => s.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^:\s]+:\d+$/.test(b)) throw new ConfigError(`KAFKA_BROKERS entry "${b}" must be host:port`);
  const mongoExternal = env.MONGO_URL !== undefined && env.MONGO_URL !== '';
  const mongoUrl = url(env, 'MONGO_URL', `mongodb://127.0.0.1:${mongoPort}/`, ['mongodb:', 'mongodb+srv:']);
  const archiveUrl = url(env, 'ARCHIVE_URL', 'file://' + path.join(localDir, 'archive'), ['file:', 'webhdfs:']);
  const sparkMasterPort = int(env, 'SPARK_MASTER_PORT', 7077);
  const sparkRestPort = int(env, 'SPARK_REST_PORT', 6066);
  const airflowPort = int(env, 'AIRFLOW_PORT', 8280);
  const hive = env.HIVE_METASTORE_URI;
  if (hive !== undefined && hive !== '') url(env, 'HIVE_METASTORE_URI', hive, ['thrift:']);
  const cfg: Config = {
    localDir,
    kafkaBrokers: brokers,
    kafkaPort,
    kafkaControllerPort: int(env, 'KAFKA_CONTROLLER_PORT', 9093),
    kafkaParkAfter: int(env, 'KAFKA_PARK_AFTER', 5, 1, 1000),
    mongoExternal,
    mongoUrl,
    mongoPort,
    ferretdbBackend: ferretdbBackend(env),
    postgresPort: int(env, 'POSTGRES_PORT', 5432),
    mongoDb: env.MONGO_DB || 'orderpulse',
    redisUrl: url(env, 'REDIS_URL', `redis://127.0.0.1:${redisPort}`, ['redis:', 'rediss:']),
    redisPort,
    gatewayPort,
    gatewayUrl: url(env, 'GATEWAY_URL', `http://127.0.0.1:${gatewayPort}`, ['http:', 'https:']),
    dashboardPort: int(env, 'DASHBOARD_PORT', 3000),
    connectorsMetricsPort: int(env, 'CONNECTORS_METRICS_PORT', 9464, 0),
    lagIntervalMs: int(env, 'METRICS_LAG_INTERVAL_MS', 5000, 0, 3_600_000),
    webhdfsPort: int(env, 'WEBHDFS_PORT', 9870),
    hdfsPort: int(env, 'HDFS_PORT', 8020),
    hivePort: int(env, 'HIVE_METASTORE_PORT', 9083),
    kafkaConnectPort: int(env, 'KAFKA_CONNECT_PORT', 8383),
    topics: {
      orders: env.TOPIC_ORDERS || 'orders',
      dlq: env.TOPIC_DLQ || 'orders.dlq',
      accepted: env.TOPIC_ACCEPTED || 'orders.accepted',
      deltas: env.TOPIC_DELTAS || 'kpi.deltas',
    },
    archiveThresholdMb: num(env, 'ARCHIVE_THRESHOLD_MB', 300, 0.001, 1e7),
    archiveLowWaterFraction: num(env, 'ARCHIVE_LOW_WATER', 0.8, 0.01, 1),
    archiveUrl,
    archiveMaxBatch: int(env, 'ARCHIVE_MAX_BATCH', 50_000, 1, 1_000_000),
    hiveMetastoreUri: hive === undefined || hive === '' ? undefined : hive,
    maxEventBytes: int(env, 'MAX_EVENT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    kpiPrefix: kpiPrefix(env),
    kpiDedupeHorizonHours: num(env, 'KPI_DEDUPE_HORIZON_HOURS', 0, 0, 1e6),
    logLevel: env.LOG_LEVEL || 'info',
    functionReopenAfter: int(env, 'FUNCTION_REOPEN_AFTER', 5, 0, 1000),
    ingestProducer: ingestProducer(env),
    analyticsEngine: engine(env),
    analyticsHotRead: hotRead(env),
    analyticsFullEvery: int(env, 'ANALYTICS_FULL_EVERY', 60, 0, 1_000_000),
    sparkMasterPort,
    sparkRestPort,
    sparkMasterUiPort: int(env, 'SPARK_MASTER_UI_PORT', 8180),
    sparkWorkerUiPort: int(env, 'SPARK_WORKER_UI_PORT', 8181),
    sparkMasterUrl: url(env, 'SPARK_MASTER_URL', `spark://127.0.0.1:${sparkMasterPort}`, ['spark:']),
    sparkRestUrl: url(env, 'SPARK_REST_URL', `http://127.0.0.1:${sparkRestPort}`, ['http:', 'https:']),
    airflowPort,
    airflowUrl: url(env, 'AIRFLOW_URL', `http://127.0.0.1:${airflowPort}`, ['http:', 'https:']),
    airflowPassword: env.AIRFLOW_PASSWORD || undefined,
    gatewayUser: env.GATEWAY_USER || 'admin',
    gatewayPassword: env.GATEWAY_PASSWORD || undefined,
    gatewayPasswordFile: path.resolve(env.GATEWAY_PASSWORD_FILE || path.join(localDir, 'gateway', 'password')),
    gatewayCallbackAllow: callbackAllow(env),
    functionReplicas: parseReplicaCounts(env.FUNCTION_REPLICAS ?? ''),
    asyncQueueMaxRequests: int(env, 'ASYNC_QUEUE_MAX_REQUESTS', 1000, 1, 1_000_000),
    asyncQueueMaxBytes: int(env, 'ASYNC_QUEUE_MAX_BYTES', 64 * 1024 * 1024, 1024, 2 ** 40),
    mongoWriteConcern: writeConcern(env),
    kafkaReplicationFactor: int(env, 'KAFKA_REPLICATION_FACTOR', 1, 1, 32),
    kafkaMinInsyncReplicas: int(env, 'KAFKA_MIN_INSYNC_REPLICAS', 1, 1, 32),
    dashboardHost: env.HOST || '127.0.0.1',
    dashboardMaxSseClients: int(env, 'DASHBOARD_MAX_SSE_CLIENTS', 100, 1, 100_000),
    alertsTopic: env.TOPIC_ALERTS || 'alerts',
    alertWebhookUrl: webhookUrl(env),
    ...webhookSecret(env),
    alertWebhookMaxAttempts: int(env, 'ALERT_WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
    alertWebhookBackoffMs: int(env, 'ALERT_WEBHOOK_BACKOFF_MS', 1000, 10, 600_000),
    alertWebhookTimeoutMs: int(env, 'ALERT_WEBHOOK_TIMEOUT_MS', 5000, 100, 120_000),
    alertRecentMax: int(env, 'ALERT_RECENT_MAX', 200, 1, 10_000),
  };
  if (cfg.kafkaMinInsyncReplicas > cfg.kafkaReplicationFactor) {
    throw new ConfigError(`KAFKA_MIN_INSYNC_REPLICAS=${cfg.kafkaMinInsyncReplicas} must not exceed KAFKA_REPLICATION_FACTOR=${cfg.kafkaReplicationFactor} (no write could ever be acknowledged)`);
  }
  if (cfg.gatewayUser.includes(':')) throw new ConfigError(`GATEWAY_USER=${cfg.gatewayUser} must not contain ':' (HTTP basic auth)`);
  return cfg;
}
