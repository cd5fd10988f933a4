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
  });
});
