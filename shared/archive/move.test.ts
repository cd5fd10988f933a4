import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DependencyError, InvariantError } from '../platform/errors.ts';
import { createLogger } from '../platform/log.ts';
import { LocalCatalog } from './adapters/local-catalog.ts';
import { LocalStorage } from './adapters/local-storage.ts';
import type { BatchManifest, BatchStep } from './manifest.ts';
import { objectIdTimeMs, rangeDeleteAllowed, runMove, type MoveDeps, type MoveHooks } from './move.ts';
import { toCents } from '../contract/money.ts';
import { encodeArchiveFile } from './parquet.ts';
import { buildFacts, rowOf, type FactFixture } from './testing/facts.ts';
import { archiveState } from './testing/invariants.ts';
import { MemoryHotStore, MemoryLock, MemoryManifestStore } from './testing/memory-ports.ts';

const log = createLogger({ test: 'move' }, () => undefined);
class Crash extends Error {}

let dir: string;
let hot: MemoryHotStore;
let manifests: MemoryManifestStore;
let lock: MemoryLock;
let deps: MoveDeps;
let seeded: FactFixture[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-archive-move-'));
  hot = new MemoryHotStore();
  manifests = new MemoryManifestStore();
  lock = new MemoryLock();
  deps = { hot, manifests, lock, storage: new LocalStorage(dir), catalog: new LocalCatalog(path.join(dir, '_catalog.json')), log };
  seeded = buildFacts(600, { seed: 11, stepMs: 400_000 }); // ~216 orders per UTC day: 3-4 partitions
  hot.insert(seeded);
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const allIds = (): string[] => seeded.map((f) => f.fact.order_id);
const hotIds = (): Set<string> => new Set(hot.facts.keys());
async function invariants(): Promise<Awaited<ReturnType<typeof archiveState>>> {
  const s = await archiveState(deps.storage, deps.catalog, hotIds(), allIds());
  expect(s.problems).toEqual([]);
  return s;
}
const cents = (fs: FactFixture[]): number => fs.reduce((n, f) => n + toCents(f.fact.total_amount), 0);

describe('runMove', () => {
  it('moves the oldest orders in batches, partitioned by UTC date, and deletes only them', async () => {
    const res = await runMove(deps, { orders: 250, maxBatch: 100 });
    expect(res.status).toBe('done');
    expect(res.moved).toBe(250);
    expect(res.batches.map((b) => b.orders)).toEqual([100, 100, 50]);
    expect([...hot.facts.keys()]).toEqual(allIds().slice(250));
    const s = await invariants();
    expect(new Set(s.archivedIds)).toEqual(new Set(allIds().slice(0, 250)));
    expect(s.archivedCents).toBe(cents(seeded.slice(0, 250)));
    expect(s.dirsWithFiles).toEqual([...new Set(seeded.slice(0, 250).map((f) => f.fact.order_timestamp.toISOString().slice(0, 10)))].sort());
    expect(s.dirsWithFiles).toEqual(['2026-01-01', '2026-01-02']);
    expect(s.catalogDts).toEqual(s.dirsWithFiles);
    const batches = await manifests.list();
    expect(batches.every((b) => b.step === 'deleted' && b.ids.length === 0 && b.deleted === b.id_count)).toBe(true);
    expect(batches[0]?.history.map((h) => h.step)).toEqual(['frozen', 'written', 'verified', 'registered', 'deleted']);
    const table = await deps.catalog.getTable('orderpulse', 'orders_fact');
    expect(table?.partitionKeys).toEqual([{ name: 'dt', type: 'string' }]);
    expect(table?.columns.find((c) => c.name === 'total_amount')?.type).toBe('decimal(18,2)');
  });

  it('stops when the hot store is empty, and resumes only when orders is 0', async () => {
    const res = await runMove(deps, { orders: 10_000, maxBatch: 400 });
    expect(res.moved).toBe(600);
    expect(hot.facts.size).toBe(0);
    const again = await runMove(deps, { orders: 0 });
    expect(again).toMatchObject({ status: 'done', moved: 0, batches: [] });
    await invariants();
  });

  const crashPoints: { name: string; hooks: (armed: { on: boolean }) => MoveHooks }[] = [
    ...(['frozen', 'written', 'verified', 'registered'] as BatchStep[]).map((step) => ({
      name: `after ${step}`,
      hooks: (armed: { on: boolean }): MoveHooks => ({
        afterStep: (b: BatchManifest) => {
          if (armed.on && b.step === step) {
            armed.on = false;
            throw new Crash(step);
          }
        },
      }),
    })),
    {
      name: 'in the middle of the delete',
      hooks: (armed) => ({
        afterDeleteChunk: (_b, deleted) => {
          if (armed.on && deleted >= 30) {
            armed.on = false;
            throw new Crash('delete');
          }
        },
      }),
    },
  ];

  for (const cp of crashPoints) {
    it(`a crash ${cp.name} resumes to exactly-one-place on the next run`, async () => {
      const armed = { on: true };
      // First batch completes, the second crashes.
      let batchesSeen = 0;
      const inner = cp.hooks(armed);
      const hooks: MoveHooks = {
        afterStep: async (b) => {
          if (b.step === 'frozen') batchesSeen++;
          if (batchesSeen === 2) await inner.afterStep?.(b);
        },
        afterDeleteChunk: async (id, n, total) => {
          if (batchesSeen === 2) await inner.afterDeleteChunk?.(id, n, total);
        },
      };
      await expect(runMove(deps, { orders: 300, maxBatch: 150, deleteChunk: 10, hooks })).rejects.toBeInstanceOf(Crash);
      expect(armed.on).toBe(false);
      expect(await lock.holder()).toBeUndefined(); // released by finally (a killed process would let it expire)
      const inflight = await manifests.inFlight();
      expect(inflight).toHaveLength(1);
      // Nothing of the crashed batch is lost meanwhile: each order is hot or (verified) archived.
      for (const id of inflight[0]!.ids) expect(hot.facts.has(id) || inflight[0]!.step === 'registered').toBe(true);

      const res = await runMove(deps, { orders: 150, maxBatch: 150 });
      expect(res.batches[0]?.resumed_from).toBe(inflight[0]!.step);
      expect(res.moved).toBe(150); // the resumed batch counts toward the request
      expect(await manifests.inFlight()).toEqual([]);
      const s = await invariants();
      expect(s.archivedIds).toHaveLength(300);
      expect(s.archivedCents).toBe(cents(seeded.slice(0, 300)));
      // Deterministic names: one file per (batch, dt), no second copy, no temporary leftovers.
      const files = (await Promise.all(s.dirsWithFiles.map((dt) => readdir(path.join(dir, 'orders_fact', `dt=${dt}`))))).flat();
      expect(files.every((f) => /^part-[0-9a-f]{24}-[0-9a-f]{24}\.parquet$/.test(f))).toBe(true);
    });
  }

  it('never writes an order twice: one archived before and back in the hot store (a replay) is only deleted', async () => {
    await runMove(deps, { orders: 100, maxBatch: 100 });
    expect(hot.archivedBy.size).toBe(100);
    hot.insert(seeded.slice(0, 30)); // replayed and re-inserted (no registry then, or a race)
    const res = await runMove(deps, { orders: 600 });
    expect(res.moved).toBe(500);
    expect(hot.facts.size).toBe(0);
    const s = await invariants(); // includes: no order twice in the archive
    expect(s.archivedIds).toHaveLength(600);
    expect(s.archivedCents).toBe(cents(seeded));
  });

  it('puts no file before the archive marks are in (the marks finish after the dimension reads)', async () => {
    const events: string[] = [];
    const claim = hot.claimArchived.bind(hot);
    let release!: () => void;
    const marksHeld = new Promise<void>((r) => (release = r));
    hot.claimArchived = async (batchId, ids) => {
      events.push('marks started');
      await marksHeld;
      events.push('marks done');
      return claim(batchId, ids);
    };
    const put = deps.storage.put.bind(deps.storage);
    deps.storage.put = async (p, bytes) => {
      events.push('put');
      return put(p, bytes);
    };
    const loadDims = hot.loadDims.bind(hot);
    hot.loadDims = async (ids) => {
      const rows = await loadDims(ids);
      setTimeout(release, 20); // the marks finish after the dimension reads and the encoding began
      return rows;
    };
    const encodedAt: [number, number][] = [];
    const res = await runMove(deps, { orders: 100, maxBatch: 100, hooks: { encoded: (_b, start, end) => encodedAt.push([start, end]) } });
    expect(res.moved).toBe(100);
    expect(encodedAt.length).toBe(res.batches[0]!.files); // one call per file, start ≤ end
    for (const [start, end] of encodedAt) expect(end).toBeGreaterThanOrEqual(start);
    expect(events.indexOf('marks done')).toBeGreaterThan(0);
    expect(events.indexOf('put')).toBeGreaterThan(events.indexOf('marks done'));
    await invariants();
  });

  it('a failed dimension read waits for the marks, deletes nothing and is resumed by the next run', async () => {
    const loadDims = hot.loadDims.bind(hot);
    let marksSettled = false;
    const claim = hot.claimArchived.bind(hot);
    hot.claimArchived = async (batchId, ids) => {
      await new Promise((r) => setTimeout(r, 20));
      const out = await claim(batchId, ids);
      marksSettled = true;
      return out;
    };
    hot.loadDims = () => Promise.reject(new DependencyError('mongodb', 'dimension read failed'));
    await expect(runMove(deps, { orders: 100, maxBatch: 100 })).rejects.toThrow(DependencyError);
    expect(marksSettled).toBe(true);
    expect(hot.facts.size).toBe(600);
    hot.loadDims = loadDims;
    const res = await runMove(deps, { orders: 100, maxBatch: 100 });
    expect(res.batches[0]?.resumed_from).toBe('frozen');
    expect(hot.facts.size).toBe(500);
    await invariants();
  });

  it('a failed archive-marks insert fails the write once the dimension reads are done, nothing put or deleted', async () => {
    hot.claimArchived = () => Promise.reject(new DependencyError('mongodb', 'marks insert failed'));
    const loadDims = hot.loadDims.bind(hot);
    hot.loadDims = async (ids) => {
      await new Promise((r) => setTimeout(r, 30)); // the marks fail first, while this read runs
      return loadDims(ids);
    };
    await expect(runMove(deps, { orders: 100, maxBatch: 100 })).rejects.toThrow(/marks insert failed/);
    expect(hot.facts.size).toBe(600);
    expect(await readdir(dir)).not.toContain('orders_fact');
  });

  it('never deletes orders that arrive during a move', async () => {
    const late = buildFacts(40, { seed: 99, prefix: 'late', start: new Date('2025-12-31T00:00:00Z') });
    const res = await runMove(deps, {
      orders: 100,
      hooks: {
        afterStep: (b) => {
          if (b.step === 'frozen') hot.insert(late); // older event time, newer _id
        },
      },
    });
    expect(res.moved).toBe(100);
    for (const f of late) expect(hot.facts.has(f.fact.order_id)).toBe(true);
    expect(hot.facts.size).toBe(500 + 40);
  });

  it('a resumed frozen batch re-reads only the ids still present', async () => {
    await expect(
      runMove(deps, {
        orders: 50,
        hooks: {
          afterStep: (b) => {
            if (b.step === 'frozen') throw new Crash('frozen');
          },
        },
      }),
    ).rejects.toBeInstanceOf(Crash);
    const gone = allIds().slice(0, 5);
    for (const id of gone) hot.facts.delete(id); // removed by something else meanwhile
    const res = await runMove(deps, { orders: 0 });
    expect(res.batches[0]).toMatchObject({ resumed_from: 'frozen', orders: 45 });
    const s = await archiveState(deps.storage, deps.catalog, hotIds(), allIds().slice(5));
    expect(s.problems).toEqual([]);
    expect(s.archivedIds).toHaveLength(45);
  });

  it('a file that does not match the frozen set fails verification: nothing deleted, rewritten on the next run', async () => {
    let tampered = false;
    const err = await runMove(deps, {
      orders: 60,
      hooks: {
        afterStep: async (b) => {
          if (b.step !== 'written' || tampered) return;
          tampered = true;
          const f = b.files[0]!;
          const rows = seeded.slice(0, 60).filter((x) => x.fact.order_timestamp.toISOString().startsWith(f.dt)).map((x) => rowOf(x, b._id));
          rows[0] = { ...rows[0]!, total_amount: rows[0]!.total_amount + 0.01 };
          await writeFile(path.join(dir, f.path), encodeArchiveFile(rows, { batchId: b._id }));
        },
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvariantError);
    expect(String((err as Error).message)).toMatch(/Σ total_amount/);
    expect(hot.facts.size).toBe(600);
    const [b] = await manifests.inFlight();
    expect(b).toMatchObject({ step: 'frozen', verify_failures: 1 });
    expect(b?.last_error).toMatch(/total_amount/);
    const res = await runMove(deps, { orders: 0 });
    expect(res.batches[0]).toMatchObject({ resumed_from: 'frozen', orders: 60, deleted: 60 });
    await invariants();
  });

  it('answers busy while another move holds the lease, and fails fast when it loses the lease', async () => {
    await lock.acquire('someone-else', 60_000);
    const res = await runMove(deps, { orders: 10 });
    expect(res).toMatchObject({ status: 'busy', moved: 0, holder: 'someone-else' });
    expect(hot.facts.size).toBe(600);
    await lock.release('someone-else');
    const err = await runMove(deps, {
      orders: 10,
      hooks: {
        afterStep: (b) => {
          if (b.step === 'written') lock.state = { owner: 'thief', expiresAt: new Date(Date.now() + 60_000) };
        },
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(hot.facts.size).toBe(600);
  });

  it('keeps its lease alive during a step longer than the lease (heartbeat)', async () => {
    // The step's duration, the heartbeat and the lease expiry run on a fake clock: no real waiting.
    vi.useFakeTimers();
    const holders: (string | undefined)[] = [];
    const res = await runMove(deps, {
      orders: 10,
      lockTtlMs: 90,
      hooks: {
        afterStep: async (b) => {
          if (b.step !== 'written') return;
          for (let i = 0; i < 5; i++) {
            await vi.advanceTimersByTimeAsync(60);
            holders.push((await lock.holder())?.owner);
          }
        },
      },
    });
    expect(res.moved).toBe(10);
    expect(holders).toHaveLength(5);
    expect(holders.every((h) => h !== undefined && h.startsWith('archive-move-'))).toBe(true);
    expect(await lock.holder()).toBeUndefined();
  });

  it('stops freezing new batches once the hot store is under the requested size', async () => {
    hot.bytesPerFact = 1000; // 600 orders = 600 000 bytes
    const res = await runMove(deps, { orders: 600, maxBatch: 50, untilBelowBytes: 480_000 });
    expect(res.moved).toBe(150); // 600k → 550k → 500k → 450k: stop
    expect(hot.facts.size).toBe(450);
    const again = await runMove(deps, { orders: 600, untilBelowBytes: 480_000 });
    expect(again.moved).toBe(0); // a duplicated invocation archives nothing more
  });

  it('rejects invalid requests', async () => {
    await expect(runMove(deps, { orders: -1 })).rejects.toThrow(/orders/);
    await expect(runMove(deps, { orders: 1, maxBatch: 0 })).rejects.toThrow(/maxBatch/);
  });

  it('deletes a range-complete batch of old orders by its _id range, fresh ones by id list', async () => {
    const ranges = vi.spyOn(hot, 'deleteRange');
    const lists = vi.spyOn(hot, 'deleteOrders');
    const old = await runMove(deps, { orders: 100, maxBatch: 100, deleteChunk: 30 }); // memory ids carry time 0: old
    expect(old.moved).toBe(100);
    expect(ranges).toHaveBeenCalledTimes(4); // sub-ranges of ≤ 30 orders: 30 + 30 + 30 + 10
    expect(lists).not.toHaveBeenCalled();
    const [m] = await manifests.list();
    expect(m?.range_complete).toBe(true);
    expect(m?.delete_ranges?.map((r) => [r.first, r.last])).toEqual(
      [0, 30, 60, 90].map((i) => [[...seeded.keys()][i], Math.min(i + 29, 99)].map((k) => (0x10000000 + Number(k)).toString(16).padStart(24, '0'))),
    );
    // Ids made 30 s before the freeze (memory ids carry time 0): within the margin, id list.
    const res = await runMove({ ...deps, now: () => new Date(30_000) }, { orders: 100, maxBatch: 100, rangeDeleteMarginMs: 60_000 });
    expect(res.moved).toBe(100);
    expect(hot.facts.size).toBe(400);
    expect(ranges).toHaveBeenCalledTimes(4);
    expect(lists).toHaveBeenCalled();
  });
});

describe('rangeDeleteAllowed', () => {
  const last = '65000000' + '0'.repeat(16); // created at 0x65000000 s
  const at = (s: number): Date => new Date(s * 1000);
  it('needs a range-complete batch whose last id is older than the margin by a whole second', () => {
    expect(objectIdTimeMs(last)).toBe(0x65000000 * 1000);
    expect(rangeDeleteAllowed({ range_complete: true, last_hot_id: last, created_at: at(0x65000000 + 61) }, 60_000)).toBe(true);
    expect(rangeDeleteAllowed({ range_complete: true, last_hot_id: last, created_at: at(0x65000000 + 60) }, 60_000)).toBe(false);
    expect(rangeDeleteAllowed({ range_complete: false, last_hot_id: last, created_at: at(0x65000000 + 999) }, 60_000)).toBe(false);
    expect(rangeDeleteAllowed({ last_hot_id: last, created_at: at(0x65000000 + 999) }, 60_000)).toBe(false); // older manifests
  });
});
