/**
 * One seeded analytics scenario on the REAL services, for any engine: generator orders in a fresh
 * MongoDB database's hot store, `moved` of them archived by the real archive-move core (batches of
 * `maxBatch`, done), and `half` more left half moved (written, verified and registered in the
 * catalog but not deleted from the hot store: in both places). The archive backends are the
 * caller's (a local folder, or WebHDFS + Hive with the caller's own root and Hive database).
 * Returns what an engine must compute: expectedAnalytics over the facts, with the placement.
 */
import { expect } from 'vitest';
import type { Config } from '../shared/platform/config.ts';
import type { Logger } from '../shared/platform/log.ts';
import { COLLECTIONS } from '../shared/adapters/mongo.ts';
import type { ArchiveBackends } from '../shared/archive/adapters/factory.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { runMove } from '../shared/archive/move.ts';
import type { ArchiveTarget } from '../shared/archive/table.ts';
import { generatedFixtures } from '../shared/archive/testing/generated.ts';
import type { FactFixture } from '../shared/archive/testing/facts.ts';
import { seedHotStore } from '../shared/archive/testing/seed.ts';
import { expectedAnalytics, type ExpectedAnalytics } from './analytics-expected.ts';

export interface ScenarioSize {
  total: number;
  moved: number;
  half: number;
  maxBatch: number;
  seed?: number;
  /** Generator orders per second of event time (0.01: 1 200 orders span ~1.4 UTC days). */
  eventRate?: number;
}

export interface Scenario {
  rt: ArchiveRuntime;
  fixtures: FactFixture[];
  expected: ExpectedAnalytics;
}

class StopAfterRegistered extends Error {}

export async function seedScenario(p: { config: Config; dbName: string; log: Logger; backends: ArchiveBackends; target?: ArchiveTarget; size: ScenarioSize }): Promise<Scenario> {
  const { total, moved, half, maxBatch } = p.size;
  const rt = await openArchiveRuntime(p.config, { dbName: p.dbName, log: p.log, backends: p.backends });
  const fixtures = generatedFixtures(total, p.size.seed ?? 8, p.size.eventRate ?? 0.01);
  await seedHotStore(rt.mongo.db, fixtures);
  const target = p.target ? { target: p.target } : {};
  expect(await runMove(rt.moveDeps(), { orders: moved, maxBatch, ...target })).toMatchObject({ status: 'done', moved });
  if (half > 0) {
    const hooks = {
      afterStep: (b: { step: string }) => {
        if (b.step === 'registered') throw new StopAfterRegistered('stopped after registered');
      },
    };
    await expect(runMove(rt.moveDeps(), { orders: half, maxBatch: half, hooks, ...target })).rejects.toBeInstanceOf(StopAfterRegistered);
  }
  expect(await rt.mongo.db.collection(COLLECTIONS.fact).countDocuments()).toBe(total - moved);
  const expected = expectedAnalytics(
    fixtures.map((f) => f.fact),
    { orders_hot: total - moved, orders_archived: moved + half, duplicates_archived: 0, in_both: half },
  );
  return { rt, fixtures, expected };
}
