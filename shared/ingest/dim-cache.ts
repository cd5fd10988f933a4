/**
 * A small LRU set of dimension ids already written by this process, so repeat customers and
 * products (Zipf-popular) skip their first-wins insert. Only ids confirmed written are added;
 * losing the cache (restart) only costs a few redundant idempotent inserts.
 */
export class LruSet {
  private readonly map = new Map<string, true>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  has(id: string): boolean {
    if (!this.map.has(id)) {
      this.misses++;
      return false;
    }
    // Refresh recency: Map iteration order is insertion order.
    this.map.delete(id);
    this.map.set(id, true);
    this.hits++;
    return true;
  }

  add(id: string): void {
    if (this.capacity <= 0) return;
    this.map.delete(id);
    this.map.set(id, true);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }
}

/** One LRU per dimension. Payment ids are unique per order, so their cache only helps replays. */
export interface DimCache {
  customers: LruSet;
  products: LruSet;
  payments: LruSet;
}

export function createDimCache(capacity = 50_000, paymentCapacity = 10_000): DimCache {
  return { customers: new LruSet(capacity), products: new LruSet(capacity), payments: new LruSet(paymentCapacity) };
}
