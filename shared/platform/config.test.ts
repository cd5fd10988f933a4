import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';

describe('loadConfig', () => {
  it('has defaults that work on a bare machine', () => {
    const c = loadConfig({});
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(c.mongoUrl).toBe('mongodb://127.0.0.1:27017/');
    expect(c.mongoExternal).toBe(false);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.archiveThresholdMb).toBe(300);
    expect(c.archiveUrl.startsWith('file://')).toBe(true);
    expect(c.hiveMetastoreUri).toBeUndefined();
    expect(c.archiveMaxBatch).toBe(50_000);
    expect(c.kpiPrefix).toBe('op:kpi:');
    expect(c.kpiDedupeHorizonHours).toBe(0);
  });
  it('derives URLs from overridden ports', () => {
    const c = loadConfig({ KAFKA_PORT: '19092', MONGO_PORT: '27018', REDIS_PORT: '6380' });
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:19092']);
    expect(c.mongoUrl).toBe('mongodb://127.0.0.1:27018/');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6380');
  });
  it('treats an empty variable as unset (stack.yml passes ${VAR:-} through to functions)', () => {
    const c = loadConfig({ KAFKA_BROKERS: '', MONGO_URL: '', REDIS_URL: '', ARCHIVE_URL: '', HIVE_METASTORE_URI: '', TOPIC_ORDERS: '', MONGO_DB: '' });
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(c.mongoExternal).toBe(false);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.archiveUrl.startsWith('file://')).toBe(true);
    expect(c.hiveMetastoreUri).toBeUndefined();
    expect(c.topics.orders).toBe('orders');
    expect(c.mongoDb).toBe('orderpulse');
  });
  it('rejects invalid values with a message naming the variable', () => {
    expect(() => loadConfig({ KAFKA_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ ARCHIVE_THRESHOLD_MB: '-1' })).toThrow(/ARCHIVE_THRESHOLD_MB/);
    expect(() => loadConfig({ KAFKA_BROKERS: 'nohost' })).toThrow(/host:port/);
    expect(() => loadConfig({ ARCHIVE_URL: 'ftp://x/y' })).toThrow(/ARCHIVE_URL/);
    expect(() => loadConfig({ ARCHIVE_MAX_BATCH: '0' })).toThrow(/ARCHIVE_MAX_BATCH/);
    expect(() => loadConfig({ MONGO_URL: 'http://x' })).toThrow(/MONGO_URL/);
    expect(() => loadConfig({ KPI_PREFIX: 'has space' })).toThrow(/KPI_PREFIX/);
    expect(() => loadConfig({ KPI_DEDUPE_HORIZON_HOURS: '-1' })).toThrow(/KPI_DEDUPE_HORIZON_HOURS/);
    expect(loadConfig({ KPI_DEDUPE_HORIZON_HOURS: '168' }).kpiDedupeHorizonHours).toBe(168);
    expect(() => loadConfig({ INGEST_PRODUCER: 'rdkafka' })).toThrow(/INGEST_PRODUCER=rdkafka must be platformatic or kafkajs/);
    expect(loadConfig({}).ingestProducer).toBe('platformatic');
    expect(loadConfig({ INGEST_PRODUCER: 'kafkajs' }).ingestProducer).toBe('kafkajs');
  });
  it('production settings (issue 9): gateway auth, async queue bounds, write concern, topic durability, dashboard', () => {
    const d = loadConfig({ ORDERPULSE_HOME: '/h' });
    expect(d).toMatchObject({
      gatewayUser: 'admin',
      gatewayPassword: undefined,
      gatewayPasswordFile: '/h/gateway/password',
      gatewayCallbackAllow: [],
      asyncQueueMaxRequests: 1000,
      asyncQueueMaxBytes: 64 * 1024 * 1024,
      mongoWriteConcern: 'majority',
      kafkaReplicationFactor: 1,
      kafkaMinInsyncReplicas: 1,
      dashboardHost: '127.0.0.1',
      dashboardMaxSseClients: 100,
    });
    const c = loadConfig({
      GATEWAY_USER: 'ops',
      GATEWAY_PASSWORD: 'pw',
      GATEWAY_PASSWORD_FILE: '/run/secrets/basic-auth-password',
      GATEWAY_CALLBACK_ALLOW: 'https://hooks.example.com/op, http://10.0.0.5:9000',
      MONGO_WRITE_CONCERN: '2',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      HOST: '0.0.0.0',
      DASHBOARD_MAX_SSE_CLIENTS: '5',
    });
    expect(c).toMatchObject({ gatewayUser: 'ops', gatewayPassword: 'pw', gatewayPasswordFile: '/run/secrets/basic-auth-password', mongoWriteConcern: 2, kafkaReplicationFactor: 3, kafkaMinInsyncReplicas: 2, dashboardHost: '0.0.0.0', dashboardMaxSseClients: 5 });
    expect(c.gatewayCallbackAllow).toEqual(['https://hooks.example.com/op', 'http://10.0.0.5:9000']);
    expect(() => loadConfig({ KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS=2 must not exceed KAFKA_REPLICATION_FACTOR=1/);
    expect(() => loadConfig({ MONGO_WRITE_CONCERN: 'all' })).toThrow(/MONGO_WRITE_CONCERN/);
    expect(() => loadConfig({ GATEWAY_CALLBACK_ALLOW: 'ftp://x' })).toThrow(/GATEWAY_CALLBACK_ALLOW/);
    expect(() => loadConfig({ GATEWAY_USER: 'a:b' })).toThrow(/GATEWAY_USER/);
    expect(() => loadConfig({ ASYNC_QUEUE_MAX_REQUESTS: '0' })).toThrow(/ASYNC_QUEUE_MAX_REQUESTS/);
  });
  it('alerts (issue 11): topic, webhook checked like the gateway callbacks, retry bounds', () => {
    const d = loadConfig({});
    expect(d).toMatchObject({ alertsTopic: 'alerts', alertWebhookUrl: undefined, alertWebhookSecret: undefined, alertWebhookMaxAttempts: 8, alertWebhookBackoffMs: 1000, alertWebhookTimeoutMs: 5000, alertRecentMax: 200 });
    const c = loadConfig({ TOPIC_ALERTS: 't-alerts', ALERT_WEBHOOK_URL: 'https://hooks.example/x', ALERT_WEBHOOK_SECRET: 's', ALERT_WEBHOOK_MAX_ATTEMPTS: '3' });
    expect(c).toMatchObject({ alertsTopic: 't-alerts', alertWebhookUrl: 'https://hooks.example/x', alertWebhookSecret: 's', alertWebhookMaxAttempts: 3 });
    expect(() => loadConfig({ ALERT_WEBHOOK_URL: 'ftp://x/' })).toThrow(/ALERT_WEBHOOK_URL/);
    expect(() => loadConfig({ ALERT_WEBHOOK_URL: 'https://u:p@hooks.example/' })).toThrow(/must not carry credentials/);
    expect(() => loadConfig({ ALERT_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/ALERT_WEBHOOK_MAX_ATTEMPTS/);
    expect(d.alertWebhookSecretFile).toBeUndefined();
    expect(loadConfig({ ALERT_WEBHOOK_SECRET_FILE: '/var/openfaas/secrets/alert-webhook-secret' }).alertWebhookSecretFile).toBe('/var/openfaas/secrets/alert-webhook-secret');
    expect(() => loadConfig({ ALERT_WEBHOOK_SECRET: 's', ALERT_WEBHOOK_SECRET_FILE: '/x' })).toThrow(/not both/);
  });
});

describe('FUNCTION_REPLICAS', () => {
  it('reads replicas per function; none by default; a malformed entry names the variable', () => {
    expect(loadConfig({}).functionReplicas).toEqual({});
    expect(loadConfig({ FUNCTION_REPLICAS: 'ingest=4, aggregate=2' }).functionReplicas).toEqual({ ingest: 4, aggregate: 2 });
    for (const bad of ['ingest', 'ingest=0', 'Ingest=2', 'ingest=99']) expect(() => loadConfig({ FUNCTION_REPLICAS: bad }), bad).toThrow(/^FUNCTION_REPLICAS: .* must be <function>=<replicas>/);
  });
});
