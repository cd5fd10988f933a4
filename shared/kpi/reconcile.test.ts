import { describe, expect, it } from 'vitest';
import { waitFor } from '../../dev/testing/wait-for.ts';
import { createLogger } from '../platform/log.ts';
import { listSource } from './adapters/mongo-source.ts';
import { DependencyError } from '../platform/errors.ts';
import { createReconciler, type RebuildRequest } from './reconcile.ts';
import { runRebuildJob, type RebuildJobDeps, type RebuildJobResult } from './rebuild-job.ts';
import type { ApplyResult, CounterStore, RebuildStatus, ReconcileStore } from './store.ts';
import type { Contribution, RawSnapshot } from './types.ts';

/** An in-memory port fake with the store's contract (exactly-once apply, lease, epoch). */
class MemoryStore implements CounterStore, ReconcileStore {
  ids = new Set<string>();
  epoch: string | null = null;
  lease: string | null = null;
  status: RebuildStatus | null = null;
  runId = 'run-1';
  applyDelayMs = 0;
  async apply(list: readonly Contribution[]): Promise<ApplyResult> {
    if (this.applyDelayMs) await new Promise((r) => setTimeout(r, this.applyDelayMs));
    let n = 0;
    for (const c of list) {
      if (this.ids.has(c.order_id)) continue;
      this.ids.add(c.order_id);
      n++;
    }
    return { applied: n, version: this.ids.size, epoch: this.epoch };
  }
  async snapshot(): Promise<RawSnapshot> {
    throw new Error('unused');
  }
  async serverId() {
    return this.runId;
  }
  async getEpoch() {
    return this.epoch;
  }
  async setEpochIfLeased(v: string, token: string) {
    if (this.lease !== token) return false;
    this.epoch = v;
    return true;
  }
  async acquireLease(token: string) {
    if (this.lease && this.lease !== token) return false;
    this.lease = token;
    return true;
  }
  async renewLease(token: string) {
    return this.lease === token;
  }
  async releaseLease(token: string) {
    if (this.lease === token) this.lease = null;
  }
  async setRebuildStatus(s: RebuildStatus) {
    this.status = s;
  }
  async getRebuildStatus() {
    return this.status;
  }
}

const fact = (i: number) => ({ order_id: `o-${i}`, order_timestamp: new Date(0), quantity: 1, total_amount: 1, order_status: 'completed', customer_id: 'c', segment: 's', state: 'CA', product_id: 'p', product_name: 'n', product_category: 'k', payment_method: 'paypal', payment_status: 'success', processing_ms: 1 });
const silent = createLogger({}, () => undefined);

function jobDeps(store: MemoryStore, rows: number, extra: Partial<RebuildJobDeps> = {}): RebuildJobDeps & { opened: () => number; materialized: () => number } {
  let opened = 0;
  let materialized = 0;
  let n = 0;
  return {
    store,
    openSources: async () => (opened++, { sources: [listSource('hot', Array.from({ length: rows }, (_, i) => fact(i)))], close: async () => undefined }),
    materialize: async () => (materialized++, { version: store.ids.size, written: true, orders: store.ids.size }),
    log: silent,
    who: 'test',
    token: () => `t-${n++}`,
    opened: () => opened,
    materialized: () => materialized,
    ...extra,
  };
}

describe('createReconciler (detects) + runRebuildJob (rebuilds)', () => {
  it('asks for ONE rebuild when the epoch is missing; the job rebuilds and sets it; concurrent checks do not ask more', async () => {
    const store = new MemoryStore();
    const deps = jobDeps(store, 2500);
    const requests: RebuildRequest[] = [];
    const jobs: Promise<RebuildJobResult>[] = [];
    const r = createReconciler({
      store,
      // the kpi-rebuild function, asked asynchronously
      request: async (req) => {
        requests.push(req);
        jobs.push(runRebuildJob(deps));
      },
      log: silent,
      who: 'test',
    });
    const checks = await Promise.all([r.check(null), r.check(null), r.check(null)]);
    expect(checks.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    await r.idle();
    expect(requests).toEqual([{ reason: 'epoch_missing', epoch: null, redis_run_id: 'run-1', by: 'test' }]);
    const res = await jobs[0];
    expect(res).toMatchObject({ status: 'done', scanned: 2500, applied: 2500, views: { orders: 2500 } });
    expect(deps.opened()).toBe(1);
    expect(deps.materialized()).toBe(1);
    expect(store.epoch).toBe('run-1');
    expect(store.lease).toBeNull();
    expect(await r.check('run-1')).toBe(false);
    store.runId = 'run-2'; // Redis restarted
    expect(await r.check('run-1')).toBe(true);
    await r.idle();
    expect(requests[1]).toMatchObject({ reason: 'epoch_stale', epoch: 'run-1', redis_run_id: 'run-2' });
    expect(await jobs[1]).toMatchObject({ status: 'done', applied: 0 });
    expect(store.epoch).toBe('run-2');
  });

  it('while unreconciled it asks again only after repeatMs, after a failed ask after retryMs', async () => {
    const store = new MemoryStore();
    let t = 0;
    let fail: Error | undefined;
    let asked = 0;
    const r = createReconciler({
      store,
      request: async () => {
        asked++;
        if (fail) throw fail;
      },
      log: silent,
      who: 'test',
      repeatMs: 30_000,
      retryMs: 5_000,
      now: () => t,
    });
    const step = async (epoch: string | null): Promise<boolean> => {
      const v = await r.check(epoch);
      await r.idle();
      return v;
    };
    expect(await step(null)).toBe(true);
    expect(asked).toBe(1);
    t = 29_999;
    expect(await step(null)).toBe(true);
    expect(asked).toBe(1);
    t = 30_000;
    fail = new DependencyError('gateway', 'cannot reach it');
    expect(await step(null)).toBe(true);
    expect(asked).toBe(2);
    t = 35_000;
    expect(await step(null)).toBe(true);
    expect(asked).toBe(3);
    fail = new DependencyError('gateway', 'POST answered 404', { retriable: false }); // kpi-rebuild not deployed
    t = 40_000;
    expect(await step(null)).toBe(true);
    expect(asked).toBe(4);
    t = 45_000;
    expect(await step(null)).toBe(true);
    expect(asked).toBe(4); // not retriable: waits repeatMs
    // reconciled (by npm run kpi:rebuild, say): the next loss is reported at once
    expect(await step('run-1')).toBe(false);
    fail = undefined;
    expect(await step(null)).toBe(true);
    expect(asked).toBe(5);
  });

  it('the job answers current without reading when the counters are reconciled, unless forced', async () => {
    const store = new MemoryStore();
    store.epoch = 'run-1';
    const deps = jobDeps(store, 10);
    expect(await runRebuildJob(deps)).toEqual({ status: 'current', epoch: 'run-1' });
    expect(deps.opened()).toBe(0);
    expect(await runRebuildJob(deps, { force: true })).toMatchObject({ status: 'done', scanned: 10, applied: 10 });
    expect(deps.opened()).toBe(1);
  });

  it('busy while another holds the lease; with waitMs it waits for the lease', async () => {
    const store = new MemoryStore();
    store.lease = 'other';
    const busy = jobDeps(store, 10);
    expect(await runRebuildJob(busy)).toEqual({ status: 'busy' });
    expect(store.epoch).toBeNull();
    let slept = 0;
    const waiting = jobDeps(store, 10, {
      sleep: async () => {
        if (++slept === 2) store.lease = null; // the other rebuild finished
      },
    });
    expect(await runRebuildJob(waiting, { waitMs: 60_000 })).toMatchObject({ status: 'done', applied: 10 });
    expect(slept).toBe(2);
  });

  it('an abort (shutdown) stops a running rebuild, releases the lease and leaves no epoch', async () => {
    const store = new MemoryStore();
    store.applyDelayMs = 20;
    const abort = new AbortController();
    const deps = jobDeps(store, 50_000, { signal: abort.signal });
    const job = runRebuildJob(deps);
    await waitFor(() => store.ids.size > 0, { timeoutMs: 5_000, intervalMs: 5, what: 'the rebuild to apply its first contributions' });
    abort.abort();
    expect(await job).toEqual({ status: 'aborted' });
    expect(store.epoch).toBeNull();
    expect(store.lease).toBeNull();
    expect(store.ids.size).toBeLessThan(50_000);
    expect(deps.materialized()).toBe(0);
  });
});
