/**
 * An in-process IngestStore with the same semantics as the MongoDB adapter (unique order_id,
 * unordered inserts, first-wins dimensions). For unit tests of the core and for measuring the
 * core's own CPU cost without a database; never used in production.
 */
import type { DimRow, DimensionRows, FactDoc, IngestStore, InsertFactsResult, Registered, RegistryEntry } from '../types.ts';

export class MemoryStore implements IngestStore {
  readonly facts = new Map<string, FactDoc>();
  readonly registry = new Map<string, string>();
  readonly archived = new Set<string>();
  readonly dims = { customers: new Map<string, DimRow>(), products: new Map<string, DimRow>() };
  calls = { registerOrders: 0, registered: 0, insertFacts: 0, factHashes: 0, insertDimensions: 0 };

  async registerOrders(entries: RegistryEntry[]): Promise<InsertFactsResult> {
    this.calls.registerOrders++;
    const duplicates: string[] = [];
    for (const e of entries) {
      if (this.registry.has(e.order_id)) duplicates.push(e.order_id);
      else this.registry.set(e.order_id, e.content_hash);
    }
    return { duplicates };
  }

  async registered(orderIds: string[]): Promise<Map<string, Registered>> {
    this.calls.registered++;
    const out = new Map<string, Registered>();
    for (const id of orderIds) {
      const h = this.registry.get(id);
      if (h !== undefined) out.set(id, { content_hash: h, archived: this.archived.has(id) });
    }
    return out;
  }

  /** What archive-move does: mark the orders archived, then delete their facts. */
  archive(orderIds: Iterable<string>): void {
    for (const id of orderIds) {
      this.archived.add(id);
      this.facts.delete(id);
    }
  }

  async insertFacts(docs: FactDoc[]): Promise<InsertFactsResult> {
    this.calls.insertFacts++;
    const duplicates: string[] = [];
    for (const d of docs) {
      if (this.facts.has(d.order_id)) duplicates.push(d.order_id);
      else this.facts.set(d.order_id, d);
    }
    return { duplicates };
  }

  async factHashes(orderIds: string[]): Promise<Map<string, string>> {
    this.calls.factHashes++;
    const out = new Map<string, string>();
    for (const id of orderIds) {
      const f = this.facts.get(id);
      if (f !== undefined) out.set(id, f.content_hash);
    }
    return out;
  }

  async insertDimensions(rows: DimensionRows): Promise<void> {
    this.calls.insertDimensions++;
    for (const kind of ['customers', 'products'] as const) {
      for (const r of rows[kind]) if (!this.dims[kind].has(r._id)) this.dims[kind].set(r._id, r);
    }
  }
}
