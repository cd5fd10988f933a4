/**
 * `npm run kpi:rebuild` against the real MongoDB-protocol store (FerretDB) and Redis, with the
 * test's own database and key prefix: KPIs lost from Redis are rebuilt from orders_fact exactly,
 * and a second run (or a run on intact KPIs) counts nothing twice.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, loadConfig } from '../shared/config.ts';
import { connectMongo, COLLECTIONS, ensureSchema, type MongoHandle } from '../shared/mongo/client.ts';
import { RedisKpiStore } from '../shared/kpi/redis-store.ts';
import { VIEW_NAMES } from '../shared/kpi/types.ts';
import { expectedKpis } from './kpi-expected.ts';
import { factOf, kpiTestEvents } from './kpi-events.ts';

const run = promisify(execFile);
const config = loadConfig();
const suffix = randomUUID().slice(0, 8);
const dbName = `kpi_rebuild_${suffix}`;
const prefix = `test:kpi:${suffix}:`;

async function rebuildCli(): Promise<string> {
  const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/kpi-rebuild.ts'], {
    cwd: ROOT,
    env: { ...process.env, MONGO_DB: dbName, KPI_PREFIX: prefix, ARCHIVE_URL: `file://${path.join(config.localDir, 'tmp', `kpi-archive-${suffix}`)}` },
    timeout: 120_000,
  });
  return stdout;
}

describe('npm run kpi:rebuild (FerretDB + Redis)', () => {
  let mongo: MongoHandle;
  let store: RedisKpiStore;
  const events = kpiTestEvents(2000, 99);

  beforeAll(async () => {
    mongo = await connectMongo(config, dbName);
    await ensureSchema(mongo.db);
    await mongo.db.collection(COLLECTIONS.fact).insertMany(events.map(factOf));
    store = RedisKpiStore.open(config.redisUrl, prefix, 'kpi-rebuild-test');
  });
  afterAll(async () => {
    await store?.deleteAll();
    await store?.close();
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  async function served(): Promise<Record<string, unknown>> {
    const { views } = await store.readAllViews();
    const out: Record<string, unknown> = {};
    for (const n of VIEW_NAMES) {
      const v = JSON.parse(views[n] ?? 'null') as Record<string, unknown>;
      if (n === 'summary') delete v.as_of;
      out[n] = v;
    }
    return out;
  }

  it('rebuilds every KPI from orders_fact, exact to the cent, and sets the epoch marker', async () => {
    const out = await rebuildCli();
    expect(out).toMatch(/2000 orders read/);
    expect(out).toMatch(/2000 were missing and are now counted/);
    expect(await store.getEpoch()).toBe(await store.serverId());
    const e = expectedKpis(events);
    expect(await served()).toEqual({ ...e });
  });

  it('a second run counts nothing twice; after losing every KPI key it restores identical views', async () => {
    const before = await served();
    expect(await rebuildCli()).toMatch(/0 were missing/);
    expect(await served()).toEqual(before);
    expect(await store.deleteAll()).toBeGreaterThan(10);
    expect(await store.getEpoch()).toBeNull();
    expect(await rebuildCli()).toMatch(/2000 were missing/);
    expect(await served()).toEqual(before);
  });
});
