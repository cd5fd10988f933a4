/**
 * Where a run's wall-clock time goes, by category, when calls may overlap: `timed(obj, clock, cat)`
 * wraps every method of a port (HotStore, ArchiveStorage, …) so that each call marks its category
 * busy; the clock adds up, per category and for any set of categories, the time during which at
 * least one such call was in flight (overlapping calls count once). Pure; used by bench/archive.ts.
 */
export class BusyClock {
  private readonly intervals = new Map<string, [number, number][]>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Mark `category` busy from now until the returned function is called. */
  start(category: string): () => void {
    const t0 = this.now();
    return () => {
      const list = this.intervals.get(category) ?? [];
      list.push([t0, this.now()]);
      this.intervals.set(category, list);
    };
  }

  /** Record `category` busy from `start` to `end` (times of this clock's `now`), e.g. work timed elsewhere. */
  add(category: string, start: number, end: number): void {
    const list = this.intervals.get(category) ?? [];
    list.push([start, end]);
    this.intervals.set(category, list);
  }

  /** Milliseconds during which at least one call of any of `categories` (default: all) was in flight. */
  busyMs(categories?: readonly string[]): number {
    const cats = categories ?? [...this.intervals.keys()];
    const all = cats.flatMap((c) => this.intervals.get(c) ?? []).sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = -Infinity;
    for (const [s, e] of all) {
      if (e <= end) continue;
      total += e - Math.max(s, end);
      end = e;
    }
    return total;
  }

  categories(): string[] {
    return [...this.intervals.keys()];
  }
}

/** `obj` with every method timed on `clock` under `category(methodName)` (sync and async methods). */
export function timed<T extends object>(obj: T, clock: BusyClock, category: (method: string) => string): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]): unknown => {
        const stop = clock.start(category(prop));
        let out: unknown;
        try {
          out = (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          stop();
          throw e;
        }
        if (out instanceof Promise) return out.finally(stop);
        stop();
        return out;
      };
    },
  });
}
