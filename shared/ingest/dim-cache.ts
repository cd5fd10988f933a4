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
 * Dimension ids whose insert a batch of this process has started and not yet finished. Batches of
 * several partitions run at once; without this, two of them meeting the same new customer both
 * insert it, and the loser's insertMany meets a duplicate key — which FerretDB answers by
 * retrying the whole batch document by document (~15× the cost of the insert). A batch that
 * finds an id here waits for that insert instead (and fails, retriably, if it fails).
 */
export class InFlight {
  private readonly pending = new Map<string, Promise<void>>();

  /** The insert in flight for this id, if any. */
  get(id: string): Promise<void> | undefined {
    return this.pending.get(id);
  }

  /**
   * Claim ids for an insert about to start; call the returned function when it ends (with the
   * error if it failed): waiters resume (or fail) and the ids are released.
   */
  claim(ids: readonly string[]): (err?: unknown) => void {
    if (ids.length === 0) return () => undefined;
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    done.catch(() => undefined); // a failure nobody waits for is the inserting batch's own error
    for (const id of ids) this.pending.set(id, done);
    return (err) => {
      for (const id of ids) if (this.pending.get(id) === done) this.pending.delete(id);
      settle(err);
    };
  }

  get size(): number {
    return this.pending.size;
  }
}

/**
 * Customers and products recur (Zipf), so their inserts are cached. (Payments have no rows: they
 * are folded into the fact, shared/contract/order.ts FOLDED_DIMENSIONS.)
 */
export interface DimCache {
  customers: RecentSet;
  products: RecentSet;
  /** Inserts in flight in this process, by dimension. */
  inFlight: { customers: InFlight; products: InFlight };
}

export function createDimCache(capacity = 100_000): DimCache {
  return { customers: new RecentSet(capacity), products: new RecentSet(capacity), inFlight: { customers: new InFlight(), products: new InFlight() } };
}
