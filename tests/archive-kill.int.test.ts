/**
 * Crash safety with a REAL SIGKILL: archive-move runs in a child process on the real
 * MongoDB/FerretDB and the local backend, is killed when its batch reaches a step (written,
 * verified, registered, part of the delete done), and the next run resumes it: every order in
 * exactly one place, none twice in the archive, catalog partitions == directories with files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { toCents } from '../shared/contract/money.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { DEFAULT_TARGET } from '../shared/archive/table.ts';
import { duckSummary } from '../shared/archive/testing/duckdb.ts';
import { buildFacts, type FactFixture } from '../shared/archive/testing/facts.ts';
import { archiveState } from '../shared/archive/testing/invariants.ts';
import { hotOrderIds, seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { runAndKill, type KillOptions } from './archive/kill.ts';
import { resumeUntilDone } from './archive/resume.ts';

const config = loadConfig();
let dir: string;
let dbName: string;
let rt: ArchiveRuntime;
let seeded: FactFixture[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-archive-kill-'));
  dbName = testDbName('archive_kill');
  rt = await openArchiveRuntime(config, {
    dbName,
    log: createLogger({ test: 'archive-kill' }, () => undefined),
    backends: { storage: new LocalStorage(dir), catalog: new LocalCatalog(path.join(dir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } },
  });
  seeded = buildFacts(200, { seed: 21, stepMs: 1_200_000 });
  await seedHotStore(rt.mongo.db, seeded);
});

afterEach(async () => {
  await rt.mongo.db.dropDatabase().catch(() => undefined);
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

describe('archive-move killed with SIGKILL (local backend)', () => {
  const points: KillOptions['pauseAt'][] = ['written', 'verified', 'registered', 'delete-chunk'];
  for (const pauseAt of points) {
    it(`resumes after a SIGKILL at ${pauseAt}`, async () => {
      let stepSeen: string | undefined;
      let hotAtKill = 0;
      const { signal } = await runAndKill({
        pauseAt,
        env: { MONGO_DB: dbName, ARCHIVE_URL: `file://${dir}`, HIVE_METASTORE_URI: '', ORDERS: '120', DELETE_CHUNK: '40', LOCK_TTL_MS: '2000' },
        beforeKill: async () => {
          stepSeen = (await rt.manifests.inFlight())[0]?.step;
          hotAtKill = (await hotOrderIds(rt.mongo.db)).size;
        },
      });
      expect(signal).toBe('SIGKILL');
      expect(stepSeen).toBe(pauseAt === 'delete-chunk' ? 'registered' : pauseAt);
      expect(hotAtKill).toBe(pauseAt === 'delete-chunk' ? 160 : 200); // 40 of 120 deleted before the kill
      expect((await rt.lock.holder())?.owner).toMatch(/^archive-move-/); // the dead process still holds the lease

      const res = await resumeUntilDone(rt.moveDeps(), DEFAULT_TARGET);
      expect(res.batches).toHaveLength(1);
      expect(res.batches[0]).toMatchObject({ resumed_from: stepSeen, orders: 120 });

      const allIds = seeded.map((f) => f.fact.order_id);
      const st = await archiveState(rt.backends.storage, rt.backends.catalog, await hotOrderIds(rt.mongo.db), allIds);
      expect(st.problems).toEqual([]);
      expect(st.archivedIds.length).toBe(120);
      const duck = await duckSummary(dir);
      expect(duck).toMatchObject({ rows: 120, distinct_ids: 120, total_cents: seeded.slice(0, 120).reduce((n, f) => n + toCents(f.fact.total_amount), 0) });
    });
  }
});
