/**
 * Coalesce calls of an idempotent job: every caller gets the result of a run that STARTED after
 * its call, and all callers that arrive while a run is in flight share the one next run.
 * N change notices arriving together therefore cost at most two runs, never N.
 */
export function coalesce<T>(job: () => Promise<T>): () => Promise<T> {
  type Waiter = { resolve: (v: T) => void; reject: (e: unknown) => void };
  let pending: Waiter[] = [];
  let active = false;

  const pump = async (): Promise<void> => {
    active = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        const v = await job();
        for (const w of batch) w.resolve(v);
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    active = false;
  };

  return () =>
    new Promise<T>((resolve, reject) => {
      pending.push({ resolve, reject });
      if (!active) void pump();
    });
}
