import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { localArchiveDir } from './api.ts';
import { SERVICES, selectServices } from './services.ts';

const names = (xs: { name: string }[]): string[] => xs.map((x) => x.name);

describe('service registry', () => {
  it('has the core services and the cold-path ones, unique names', () => {
    expect(names(SERVICES.filter((s) => s.group === 'core'))).toEqual(['kafka', 'ferretdb', 'redis']);
    expect(names(SERVICES.filter((s) => s.group === 'cold'))).toEqual(['hdfs', 'hive', 'spark', 'airflow']);
    expect(names(SERVICES.filter((s) => s.group === 'opt-in'))).toEqual(['postgres', 'kafka-connect']);
    expect(new Set(names([...SERVICES])).size).toBe(SERVICES.length);
  });

  it('selects core by default, everything with all, exactly `only` (with aliases) otherwise', () => {
    expect(names(selectServices(SERVICES, {}))).toEqual(['kafka', 'ferretdb', 'redis']);
    expect(names(selectServices(SERVICES, { all: true }))).toEqual(['kafka', 'ferretdb', 'redis', 'hdfs', 'hive', 'spark', 'airflow']);
    expect(names(selectServices(SERVICES, { only: ['redis', 'Mongo', 'ferretdb'] }))).toEqual(['ferretdb', 'redis']);
    expect(names(selectServices(SERVICES, { all: true, only: ['hive'] }))).toEqual(['hive']);
    expect(names(selectServices(SERVICES, { only: ['kafka-connect'] }))).toEqual(['kafka-connect']);
    expect(names(selectServices(SERVICES, { only: ['connect'] }))).toEqual(['kafka-connect']);
    expect(names(selectServices(SERVICES, { only: ['ferretdb', 'postgresql'] }))).toEqual(['postgres', 'ferretdb']);
    expect(() => selectServices(SERVICES, { only: ['mysql'] })).toThrow(/unknown service "mysql"; known: kafka, postgres, ferretdb/);
  });
});

describe('localArchiveDir', () => {
  it('is the default file archive inside .local, and nothing for webhdfs or outside folders', () => {
    const c = loadConfig({ ORDERPULSE_HOME: '/tmp/op-home' });
    expect(localArchiveDir(c)).toBe(path.join('/tmp/op-home', 'archive'));
    expect(localArchiveDir(loadConfig({ ORDERPULSE_HOME: '/tmp/op-home', ARCHIVE_URL: 'webhdfs://127.0.0.1:9870/x' }))).toBeUndefined();
    expect(localArchiveDir(loadConfig({ ORDERPULSE_HOME: '/tmp/op-home', ARCHIVE_URL: 'file:///srv/archive' }))).toBeUndefined();
  });
});
