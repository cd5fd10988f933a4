/**
 * A small recency set of dimension ids already written by this process, so repeat customers and
 * products (Zipf-popular) skip their first-wins insert. Only ids confirmed written are added;
 * losing the cache (restart) only costs a few redundant idempotent inserts.
 *
 * Two generations instead of a strict LRU: a hit in the current generation is one Set lookup;
 * a hit in the previous one promotes the id; when the current generation holds capacity/2 ids it
 * becomes the previous one. Ids unused for a whole generation are forgotten. At most `capacity`
 * ids are held.
 */
export class RecentSet {
  private cur = new Set<string>();
  private old = new Set<string>();
  private readonly half: number;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  has(id: string): boolean {
    if (this.cur.has(id)) {
      this.hits++;
      return true;
    }
    if (this.old.has(id)) {
      this.hits++;
      this.add(id);
      return true;
    }
    this.misses++;
    return false;
  }

  add(id: string): void {
    if (this.capacity <= 0) return;
    if (this.cur.size >= this.half) {
      this.old = this.cur;
      this.cur = new Set<string>();
    }
    this.cur.add(id);
  }

  get size(): number {
    return this.cur.size + this.old.size;
  }
}

/**
 * Customers and products recur (Zipf), so their inserts are cached. Payment ids are unique per
 * order: caching them would only help redeliveries, at a cost on every event, so they are not.
 */
export interface DimCache {
  customers: RecentSet;
  products: RecentSet;
}

export function createDimCache(capacity = 100_000): DimCache {
  return { customers: new RecentSet(capacity), products: new RecentSet(capacity) };
}
