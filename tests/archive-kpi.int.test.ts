/**
 * KPIs stay unchanged after archiving (issue 4, item 8): on the real FerretDB and Redis, KPIs
 * rebuilt (npm run kpi:rebuild, the KPI helper's CLI) from the hot store before a move equal the
 * KPIs rebuilt from the hot store + the archive after archive-move took the oldest orders out of
 * MongoDB — every served view, exact to the cent. Own database, archive folder and key prefixes.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { VIEW_NAMES } from '../shared/kpi/types.ts';
import { COLLECTIONS } from '../shared/adapters/mongo.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { runMove } from '../shared/archive/move.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import { seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';

const run = promisify(execFile);
const config = loadConfig();
const id = randomUUID().slice(0, 8);
const prefixes = { before: `test:archkpi:${id}:before:`, after: `test:archkpi:${id}:after:` };
let dir: string;
let dbName: string;
let rt: ArchiveRuntime;
const stores: RedisKpiStore[] = [];

async function rebuildCli(prefix: string): Promise<string> {
  const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/kpi-rebuild.ts'], {
    cwd: ROOT,
    env: { ...process.env, MONGO_DB: dbName, KPI_PREFIX: prefix, ARCHIVE_URL: `file://${dir}`, HIVE_METASTORE_URI: '' },
    timeout: 180_000,
  });
  return stdout;
}

async function served(prefix: string): Promise<Record<string, unknown>> {
  const store = RedisKpiStore.open(config.redisUrl, prefix, `archive-kpi-test-${id}`);
  stores.push(store);
  const { views } = await store.readAllViews();
  const out: Record<string, unknown> = {};
  for (const n of VIEW_NAMES) {
    const v = JSON.parse(views[n] ?? 'null') as Record<string, unknown> | null;
    if (v && n === 'summary') delete v.as_of;
    out[n] = v;
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-archive-kpi-'));
  dbName = testDbName('archive_kpi');
  rt = await openArchiveRuntime(config, {
    dbName,
    log: createLogger({ test: 'archive-kpi' }, () => undefined),
    backends: { storage: new LocalStorage(dir), catalog: new LocalCatalog(path.join(dir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } },
  });
  // ~1 order per 20 s of event time: 800 orders span about 4.5 hours (several revenue minutes, one day).
  await seedHotStore(rt.mongo.db, generatedFixtures(800, 42, 0.05));
});

afterAll(async () => {
  for (const s of stores) {
    await s.deleteAll().catch(() => undefined);
    await s.close().catch(() => undefined);
  }
  await rt?.mongo.db.dropDatabase().catch(() => undefined);
  await rt?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('KPIs after archiving', () => {
  it('rebuilt from hot store + archive, every view equals the KPIs before the move', async () => {
    expect(await rebuildCli(prefixes.before)).toMatch(/800 orders read/);
    const before = await served(prefixes.before);
    expect((before.summary as { orders: number }).orders).toBe(800);

    const res = await runMove(rt.moveDeps(), { orders: 500, maxBatch: 300 });
    expect(res.moved).toBe(500);
    expect(await rt.mongo.db.collection(COLLECTIONS.fact).countDocuments()).toBe(300);

    const out = await rebuildCli(prefixes.after);
    expect(out).toMatch(/800 orders read \(mongodb:[^:]+: 300, archive:[^)]*: 500\)/);
    expect(await served(prefixes.after)).toEqual(before);
  });
});
