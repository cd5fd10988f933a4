/**
 * An in-process IngestStore with the same semantics as the MongoDB adapter (unique order_id,
 * unordered inserts, first-wins dimensions). For unit tests of the core and for measuring the
 * core's own CPU cost without a database; never used in production.
 */
import type { DimRow, DimensionRows, FactDoc, IngestStore, InsertFactsResult } from '../types.ts';

export class MemoryStore implements IngestStore {
  readonly facts = new Map<string, FactDoc>();
  readonly dims = { customers: new Map<string, DimRow>(), products: new Map<string, DimRow>(), payments: new Map<string, DimRow>() };
  calls = { insertFacts: 0, factHashes: 0, insertDimensions: 0 };

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
    for (const kind of ['customers', 'products', 'payments'] as const) {
      for (const r of rows[kind]) if (!this.dims[kind].has(r._id)) this.dims[kind].set(r._id, r);
    }
  }
}
