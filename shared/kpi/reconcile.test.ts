import { describe, expect, it } from 'vitest';
import { waitFor } from '../../dev/testing/wait-for.ts';
import { createLogger } from '../platform/log.ts';
import { listSource } from './adapters/mongo-source.ts';
import { createReconciler } from './reconcile.ts';
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

describe('createReconciler', () => {
  it('starts ONE background rebuild when the epoch is missing, then sets it; concurrent checks do not start more', async () => {
    const store = new MemoryStore();
    let opened = 0;
    let n = 0;
    const r = createReconciler({
      store,
      openSources: async () => (opened++, { sources: [listSource('hot', Array.from({ length: 2500 }, (_, i) => fact(i)))], close: async () => undefined }),
      log: silent,
      who: 'test',
      token: () => `t-${n++}`,
    });
    const checks = await Promise.all([r.check(null), r.check(null), r.check(null)]);
    expect(checks.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    const res = await r.idle();
    expect(res).toMatchObject({ status: 'done', scanned: 2500, applied: 2500 });
    expect(opened).toBe(1);
    expect(store.epoch).toBe('run-1');
    expect(store.lease).toBeNull();
    expect(await r.check('run-1')).toBe(false);
    store.runId = 'run-2'; // Redis restarted
    expect(await r.check('run-1')).toBe(true);
    expect(await r.idle()).toMatchObject({ status: 'done', applied: 0 });
    expect(store.epoch).toBe('run-2');
  });

  it('stop() aborts a running rebuild, releases the lease and leaves no epoch', async () => {
    const store = new MemoryStore();
    store.applyDelayMs = 20;
    const r = createReconciler({ store, openSources: async () => ({ sources: [listSource('hot', Array.from({ length: 50_000 }, (_, i) => fact(i)))], close: async () => undefined }), log: silent, who: 'test', token: () => 't' });
    expect(await r.check(null)).toBe(true);
    await waitFor(() => store.ids.size > 0, { timeoutMs: 5_000, intervalMs: 5, what: 'the rebuild to apply its first contributions' });
    await r.stop();
    expect(store.epoch).toBeNull();
    expect(store.lease).toBeNull();
    expect(store.ids.size).toBeLessThan(50_000);
    expect(await r.check(null)).toBe(false);
  });
});
