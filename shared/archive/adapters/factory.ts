/**
 * Picks the archive adapters from configuration:
 * - ARCHIVE_URL file:///dir  → LocalStorage(dir); webhdfs://host:port/path → WebHDFS storage;
 * - HIVE_METASTORE_URI set   → Hive Metastore catalog; unset → LocalCatalog, a JSON file
 *   (`<dir>/_catalog.json` for a local archive, `<ORDERPULSE_HOME>/archive-catalog/_catalog.json`
 *   for an HDFS archive without a metastore).
 */
import path from 'node:path';
import type { Config } from '../../platform/config.ts';
import { ConfigError } from '../../platform/errors.ts';
import { LocalCatalog } from './local-catalog.ts';
import { LocalStorage } from './local-storage.ts';
import { createHiveCatalog } from './metastore/catalog.ts';
import type { ArchiveStorage, Catalog } from '../ports.ts';
import { createWebHdfsStorage } from './webhdfs-storage.ts';

export interface ArchiveBackends {
  storage: ArchiveStorage;
  catalog: Catalog;
  kind: { storage: 'local' | 'webhdfs'; catalog: 'local' | 'hive' };
}

export type BackendConfig = Pick<Config, 'archiveUrl' | 'hiveMetastoreUri' | 'localDir' | 'hdfsPort'>;

export function createStorage(config: BackendConfig): { storage: ArchiveStorage; kind: 'local' | 'webhdfs' } {
  const u = new URL(config.archiveUrl);
  if (u.protocol === 'file:') return { storage: LocalStorage.fromUrl(config.archiveUrl), kind: 'local' };
  if (u.protocol === 'webhdfs:') {
    const namenodeRpc = u.searchParams.get('namenode') ?? `${u.hostname}:${config.hdfsPort}`;
    return { storage: createWebHdfsStorage({ url: config.archiveUrl, namenodeRpc }), kind: 'webhdfs' };
  }
  throw new ConfigError(`ARCHIVE_URL=${config.archiveUrl} must be file://… or webhdfs://…`);
}

export function createCatalog(config: BackendConfig, storage: { kind: 'local' | 'webhdfs'; root?: string }): { catalog: Catalog; kind: 'local' | 'hive' } {
  if (config.hiveMetastoreUri) return { catalog: createHiveCatalog({ uri: config.hiveMetastoreUri }), kind: 'hive' };
  const file = storage.kind === 'local' && storage.root ? path.join(storage.root, '_catalog.json') : path.join(config.localDir, 'archive-catalog', '_catalog.json');
  return { catalog: new LocalCatalog(file), kind: 'local' };
}

export function openArchiveBackends(config: BackendConfig): ArchiveBackends {
  const s = createStorage(config);
  const root = s.storage instanceof LocalStorage ? s.storage.root : undefined;
  const c = createCatalog(config, { kind: s.kind, ...(root ? { root } : {}) });
  return { storage: s.storage, catalog: c.catalog, kind: { storage: s.kind, catalog: c.kind } };
}
