import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { openArchiveBackends } from './factory.ts';
import { LocalCatalog } from './local-catalog.ts';
import { LocalStorage } from './local-storage.ts';

describe('openArchiveBackends', () => {
  it('defaults to a local directory under .local with a catalog file in it', () => {
    const c = loadConfig({ ORDERPULSE_HOME: '/tmp/op-home' });
    const b = openArchiveBackends(c);
    expect(b.kind).toEqual({ storage: 'local', catalog: 'local' });
    expect((b.storage as LocalStorage).root).toBe('/tmp/op-home/archive');
    expect((b.catalog as LocalCatalog).file).toBe('/tmp/op-home/archive/_catalog.json');
  });

  it('uses WebHDFS and the Hive Metastore when configured', async () => {
    const c = loadConfig({ ARCHIVE_URL: 'webhdfs://127.0.0.1:9870/orderpulse', HIVE_METASTORE_URI: 'thrift://127.0.0.1:9083', HDFS_PORT: '8020' });
    const b = openArchiveBackends(c);
    expect(b.kind).toEqual({ storage: 'webhdfs', catalog: 'hive' });
    expect(b.storage.locationOf('/orders_fact/dt=2026-01-01')).toBe('hdfs://127.0.0.1:8020/orderpulse/orders_fact/dt=2026-01-01');
    expect(b.catalog.describe()).toMatch(/9083/);
    await b.catalog.close();
  });

  it('keeps a local catalog file for an HDFS archive without a metastore', () => {
    const c = loadConfig({ ORDERPULSE_HOME: '/tmp/op-home', ARCHIVE_URL: 'webhdfs://127.0.0.1:9870/orderpulse' });
    const b = openArchiveBackends(c);
    expect(b.kind).toEqual({ storage: 'webhdfs', catalog: 'local' });
    expect((b.catalog as LocalCatalog).file).toBe('/tmp/op-home/archive-catalog/_catalog.json');
  });
});
