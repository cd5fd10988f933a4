/**
 * The hive service's life cycle on a private metastore (own ORDERPULSE_HOME and port; the shared
 * stack is untouched; jars linked from the shared install): the schema is created on first
 * start, and a database created before a restart is still there afterwards (Derby on disk).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { createMetastoreClient } from '../../shared/archive/adapters/metastore/client.ts';
import { hiveService, HIVE_LIBS } from './hive.ts';
import { installMavenLibs, libsDirOf } from './maven-libs.ts';
import { isAlive } from './proc.ts';
import type { ServiceContext } from './service.ts';
import { freePort } from '../testing/free-port.ts';

const shared = loadConfig();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'op-hive-life-'));
let ctx: ServiceContext;

afterAll(async () => {
  if (ctx) await hiveService.stop(ctx).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('hive service life cycle (private metastore)', () => {
  it('creates its schema on first start, keeps a database across a restart, stops', { timeout: 600_000 }, async () => {
    const sharedCtx: ServiceContext = { config: shared, log: createLogger({}, () => undefined), dir: path.join(shared.localDir, 'hive') };
    await installMavenLibs(sharedCtx, HIVE_LIBS);
    const config = loadConfig({ ORDERPULSE_HOME: home, HIVE_METASTORE_PORT: String(await freePort()) });
    ctx = { config, log: createLogger({}, () => undefined), dir: path.join(home, 'hive') };
    fs.mkdirSync(ctx.dir, { recursive: true });
    fs.symlinkSync(libsDirOf(sharedCtx), libsDirOf(ctx));

    await hiveService.install(ctx);
    await hiveService.start(ctx);
    const st = await hiveService.status(ctx);
    expect(st).toMatchObject({ name: 'hive', running: true, healthy: true, endpoint: `thrift://127.0.0.1:${config.hivePort}` });
    expect(fs.existsSync(path.join(ctx.dir, 'data', 'metastore_db'))).toBe(true);
    expect(fs.readFileSync(path.join(ctx.dir, 'conf', 'metastore-site.xml'), 'utf8')).toContain(`<value>${config.hivePort}</value>`);

    const uri = `thrift://127.0.0.1:${config.hivePort}`;
    let client = createMetastoreClient({ uri });
    await client.createDatabase({ name: 'life_db', description: 'survives a restart', parameters: {} });
    await client.close();

    await hiveService.stop(ctx);
    expect(isAlive(st.pid ?? -1)).toBe(false);

    await hiveService.start(ctx);
    client = createMetastoreClient({ uri });
    try {
      expect(await client.getAllDatabases()).toEqual(expect.arrayContaining(['default', 'life_db']));
      expect((await client.getDatabase('life_db')).description).toBe('survives a restart');
    } finally {
      await client.close();
    }
    await hiveService.stop(ctx);
    expect((await hiveService.status(ctx)).running).toBe(false);
  });
});
