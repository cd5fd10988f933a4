/**
 * In-memory implementations of the hot-store ports for unit tests of the move/check cores
 * (pure logic; integration tests use the real MongoDB adapters).
 */
import { InvariantError } from '../../platform/errors.ts';
import type { CheckReading, StatusStore } from '../check.ts';
import type { DimDoc, DimRows, FactDoc, HotSize, HotStore, LockState, ManifestStore, MoveLock } from '../hot-store.ts';
import { assertAdvance, type BatchManifest, type BatchStep } from '../manifest.ts';
import type { FactFixture } from './facts.ts';

export class MemoryHotStore implements HotStore {
  readonly facts = new Map<string, FactDoc>();
  readonly customers = new Map<string, DimDoc>();
  readonly products = new Map<string, DimDoc>();
  readonly payments = new Map<string, DimDoc>();
  private seq = 0;
  /** Bytes per fact reported by readSize. */
  bytesPerFact = 1000;
  dimBytes = 0;

  insert(fixtures: readonly FactFixture[]): void {
    for (const f of fixtures) {
      const hot_id = (0x10000000 + this.seq++).toString(16).padStart(24, '0');
      this.facts.set(f.fact.order_id, { ...f.fact, hot_id });
      if (!this.customers.has(String(f.customer._id))) this.customers.set(String(f.customer._id), f.customer);
      if (!this.products.has(String(f.product._id))) this.products.set(String(f.product._id), f.product);
      if (f.payment && !this.payments.has(String(f.payment._id))) this.payments.set(String(f.payment._id), f.payment);
    }
  }

  async oldestFacts(limit: number): Promise<FactDoc[]> {
    return [...this.facts.values()]
      .sort((a, b) => (a.hot_id < b.hot_id ? -1 : 1))
      .slice(0, limit)
      .map((f) => structuredClone(f));
  }

  async loadFacts(orderIds: readonly string[]): Promise<FactDoc[]> {
    return orderIds.map((id) => this.facts.get(id)).filter((f): f is FactDoc => f !== undefined);
  }

  async loadDims(ids: { customers: readonly string[]; products: readonly string[]; payments: readonly string[] }): Promise<DimRows> {
    const pick = (m: Map<string, DimDoc>, keys: readonly string[]): Map<string, DimDoc> => new Map(keys.filter((k) => m.has(k)).map((k) => [k, m.get(k)!]));
    return { customers: pick(this.customers, ids.customers), products: pick(this.products, ids.products), payments: pick(this.payments, ids.payments) };
  }

  async deleteOrders(orderIds: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of orderIds) if (this.facts.delete(id)) n++;
    return n;
  }

  async deleteRange(range: { first: string; last: string }): Promise<number> {
    let n = 0;
    for (const [id, f] of this.facts) if (f.hot_id >= range.first && f.hot_id <= range.last && this.facts.delete(id)) n++;
    return n;
  }

  /** order_id → the batch that archived it (order_ids_archived). */
  readonly archivedBy = new Map<string, string>();

  async claimArchived(batchId: string, orderIds: readonly string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const id of orderIds) {
      const by = this.archivedBy.get(id);
      if (by === undefined) this.archivedBy.set(id, batchId);
      else if (by !== batchId) taken.add(id);
    }
    return taken;
  }

  async countPresent(orderIds: readonly string[]): Promise<number> {
    return orderIds.filter((id) => this.facts.has(id)).length;
  }

  async readSize(): Promise<HotSize> {
    return {
      collections: [
        { name: 'orders_fact', count: this.facts.size, dataBytes: this.facts.size * this.bytesPerFact, storageBytes: this.facts.size * this.bytesPerFact, indexBytes: 0 },
        { name: 'customers_dim', count: this.customers.size, dataBytes: this.dimBytes, storageBytes: this.dimBytes, indexBytes: 0 },
      ],
    };
  }
}

export class MemoryManifestStore implements ManifestStore {
  readonly batches = new Map<string, BatchManifest>();

  async create(batch: BatchManifest): Promise<{ batch: BatchManifest; created: boolean }> {
    const existing = this.batches.get(batch._id);
    if (existing) return { batch: structuredClone(existing), created: false };
    this.batches.set(batch._id, structuredClone(batch));
    return { batch: structuredClone(batch), created: true };
  }

  async get(batchId: string): Promise<BatchManifest | undefined> {
    const b = this.batches.get(batchId);
    return b ? structuredClone(b) : undefined;
  }

  async advance(batchId: string, from: BatchStep, to: BatchStep, patch: Partial<BatchManifest>): Promise<BatchManifest> {
    assertAdvance(batchId, from, to);
    const b = this.batches.get(batchId);
    if (!b || b.step !== from) throw new InvariantError(`batch ${batchId} is not at step ${from}`);
    const now = new Date();
    const next: BatchManifest = { ...b, ...structuredClone(patch), step: to, updated_at: now, history: [...b.history, { step: to, at: now }] };
    this.batches.set(batchId, next);
    return structuredClone(next);
  }

  async inFlight(): Promise<BatchManifest[]> {
    return (await this.list()).filter((b) => b.step !== 'deleted');
  }

  async list(): Promise<BatchManifest[]> {
    return [...this.batches.values()].sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((b) => structuredClone(b));
  }
}

export class MemoryLock implements MoveLock {
  state: LockState | undefined;

  async acquire(owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    if (this.state && this.state.owner !== owner && this.state.expiresAt.getTime() > now) return false;
    this.state = { owner, expiresAt: new Date(now + ttlMs) };
    return true;
  }

  async renew(owner: string, ttlMs: number): Promise<boolean> {
    if (!this.state || this.state.owner !== owner) return false;
    this.state = { owner, expiresAt: new Date(Date.now() + ttlMs) };
    return true;
  }

  async release(owner: string): Promise<void> {
    if (this.state?.owner === owner) this.state = undefined;
  }

  async holder(): Promise<LockState | undefined> {
    return this.state && this.state.expiresAt.getTime() > Date.now() ? { ...this.state } : undefined;
  }
}

export class MemoryStatusStore implements StatusStore {
  last: CheckReading | undefined;
  async save(reading: CheckReading): Promise<void> {
    this.last = structuredClone(reading);
  }
  async load(): Promise<CheckReading | undefined> {
    return this.last;
  }
}
