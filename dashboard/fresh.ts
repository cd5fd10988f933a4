/**
 * What the dashboard's Redis-invalidated caches of stored documents share (the batch results,
 * dashboard/results.ts, and the alerts, dashboard/alerts.ts): a coalesced load, run on every
 * change notice (a PUBLISH from the writer) and confirmed by a poll, so a lost message costs at most
 * one poll interval. A snapshot is served only while confirmed within `maxAgeMs`; otherwise the
 * request loads again, which throws when Redis does not answer (the routes answer 503).
 */
import { coalesce } from '../shared/kpi/coalesce.ts';
import type { Logger } from '../shared/platform/log.ts';

export interface FreshOptions<T> {
  /** Reads the source and returns the snapshot to serve; the caller compares it with its previous one and notifies its listeners. */
  load: () => Promise<T>;
  /** A cheap poll (e.g. one version GET): true when `last` is still current. Without it, every poll loads. */
  stillCurrent?: (last: T) => Promise<boolean>;
  /** Calls back on every change notice; resolves to an unsubscribe function. */
  subscribe: (onChange: () => void) => Promise<() => Promise<void>>;
  pollMs: number;
  log: Logger;
  /** Named in the log lines, e.g. "the alerts". */
  what: string;
}

export interface Fresh<T> {
  /** The snapshot if confirmed within `maxAgeMs` (default 3 polls), else a fresh load. */
  read(maxAgeMs?: number): Promise<T>;
  /** The newest snapshot loaded so far (no I/O once there is one). */
  current(): Promise<T>;
  close(): Promise<void>;
}

export async function keepFresh<T>(o: FreshOptions<T>): Promise<Fresh<T>> {
  let last: T | undefined;
  let syncedAt = 0;
  const refresh = coalesce(async (): Promise<T> => {
    const t = Date.now();
    const v = await o.load();
    syncedAt = t;
    last = v;
    return v;
  });
  const poll = async (): Promise<void> => {
    const t = Date.now();
    if (last !== undefined && o.stillCurrent !== undefined && (await o.stillCurrent(last))) syncedAt = t;
    else await refresh();
  };

  const unsubscribe = await o.subscribe(() => {
    refresh().catch((err: unknown) => o.log.warn(`dashboard: reading ${o.what} failed`, { err }));
  });
  let failing = false;
  const timer = setInterval(() => {
    poll().then(
      () => {
        if (failing) o.log.info(`dashboard: ${o.what} answer again`);
        failing = false;
      },
      (err: unknown) => {
        if (!failing) o.log.warn(`dashboard: cannot read ${o.what} from Redis (serving 503 until it answers)`, { err });
        failing = true;
      },
    );
  }, o.pollMs);
  timer.unref();

  return {
    read: (maxAgeMs = 3 * o.pollMs) => (last !== undefined && Date.now() - syncedAt <= maxAgeMs ? Promise.resolve(last) : refresh()),
    current: () => (last !== undefined ? Promise.resolve(last) : refresh()),
    async close() {
      clearInterval(timer);
      await unsubscribe();
    },
  };
}

/** A cache built on keepFresh, as the routes and the SSE stream use it: its reads, plus change listeners. */
export interface FreshCache<T, A extends unknown[]> extends Fresh<T> {
  /** Adds a listener the cache's load calls on a change; returns its removal. */
  on(listener: (...args: A) => void): () => void;
}

/** `fresh` with `on` over the listener set its load notifies; closing drops the listeners too. */
export function withListeners<T, A extends unknown[]>(fresh: Fresh<T>, listeners: Set<(...args: A) => void>): FreshCache<T, A> {
  return {
    read: (maxAgeMs) => fresh.read(maxAgeMs),
    current: () => fresh.current(),
    on(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    async close() {
      listeners.clear();
      await fresh.close();
    },
  };
}
