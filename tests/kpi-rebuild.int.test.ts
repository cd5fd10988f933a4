/**
 * `npm run kpi:rebuild` against the real MongoDB-protocol store (FerretDB), a real archive
 * (Parquet files written by the archive code into a local ARCHIVE_URL) and Redis, with the test's
 * own database, archive folder and key prefix. The oldest orders are only in the archive, the
 * newest only in the hot store, and some in both (moved but not yet deleted): KPIs lost from
 * Redis are rebuilt exactly, all-time, and a second run counts nothing twice.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toArchiveRow } from '../shared/archive/denormalise.ts';
import { filePath } from '../shared/archive/layout.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { encodeArchiveFile } from '../shared/archive/parquet.ts';
import type { FactDoc } from '../shared/archive/hot-store.ts';
import { ROOT, loadConfig } from '../shared/platform/config.ts';
import { connectMongo, COLLECTIONS, ensureSchema, type MongoHandle } from '../shared/adapters/mongo.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { VIEW_NAMES } from '../shared/kpi/types.ts';
import { expectedKpis } from './kpi-expected.ts';
import { factOf, kpiTestEvents } from './kpi-events.ts';

const run = promisify(execFile);
const config = loadConfig();
const suffix = randomUUID().slice(0, 8);
const dbName = `kpi_rebuild_${suffix}`;
const prefix = `test:kpi:${suffix}:`;
const archiveDir = path.join(config.localDir, 'tmp', `kpi-archive-${suffix}`);

async function rebuildCli(): Promise<string> {
  const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/kpi-rebuild.ts'], {
    cwd: ROOT,
    env: { ...process.env, MONGO_DB: dbName, KPI_PREFIX: prefix, ARCHIVE_URL: `file://${archiveDir}` },
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
    const facts = events.map(factOf);
    // hot store: orders 800..1999; archive: orders 0..1199 in two batches (800..1199 are in both)
    await mongo.db.collection(COLLECTIONS.fact).insertMany(facts.slice(800));
    const storage = new LocalStorage(archiveDir);
    const noDims = { customers: new Map(), products: new Map(), payments: new Map() };
    for (const [batch, rows] of [['kpitest-a', facts.slice(0, 600)], ['kpitest-b', facts.slice(600, 1200)]] as const) {
      const byDt = new Map<string, ReturnType<typeof toArchiveRow>[]>();
      for (const f of rows) {
        const row = toArchiveRow({ ...(f as unknown as FactDoc), hot_id: String(f.order_id) }, noDims, batch);
        const dt = row.date_key as string;
        byDt.set(dt, [...(byDt.get(dt) ?? []), row]);
      }
      for (const [dt, list] of byDt) await storage.put(filePath(dt, batch), encodeArchiveFile(list, { batchId: batch }));
    }
    store = RedisKpiStore.open(config.redisUrl, prefix, 'kpi-rebuild-test');
  });
  afterAll(async () => {
    await store?.deleteAll();
    await store?.close();
    await mongo?.db.dropDatabase();
    await mongo?.close();
    await rm(archiveDir, { recursive: true, force: true });
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

  it('rebuilds every KPI from orders_fact + archive, exact to the cent, and sets the epoch marker', async () => {
    const out = await rebuildCli();
    expect(out).toMatch(/2400 orders read \(mongodb:[^:]+: 1200, archive:[^:]+:\/\/[^:]+: 1200\)/);
    expect(out).toMatch(/2000 were missing and are now counted/);
    expect(await store.getEpoch()).toBe(await store.serverId());
    const e = expectedKpis(events);
    expect(await served()).toEqual({ ...e });
  });

  it('a second run counts nothing twice; after losing every KPI key it restores identical views', async () => {
    const before = await served();
    expect(await rebuildCli()).toMatch(/, 0 were missing/);
    expect(await served()).toEqual(before);
    expect(await store.deleteAll()).toBeGreaterThan(10);
    expect(await store.getEpoch()).toBeNull();
    expect(await rebuildCli()).toMatch(/2000 were missing/);
    expect(await served()).toEqual(before);
  });
});
