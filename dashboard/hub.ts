/**
 * The dashboard's change hub: one Redis subscription per process (cache-write PUBLISHes the new
 * version on `<prefix>changed` in the same Lua script that writes the views), one read of all
 * prebuilt views per change (coalesced), and the same pre-serialised payload broadcast to every
 * SSE client. A 1 s poll of the views' version (one GET) covers a missed message (e.g. while the
 * subscriber reconnects).
 *
 * The latest snapshot is also the API's read cache: a Redis-invalidated client-side cache (the
 * pattern Redis' own CLIENT TRACKING serves), so a read costs no Redis round trip. It is used only
 * while it is known fresh (synced with Redis within `maxAgeMs`); otherwise the API GETs Redis.
 */
import { coalesce } from '../shared/kpi/coalesce.ts';
import type { Logger } from '../shared/platform/log.ts';
import { VIEW_NAMES, type ViewName } from '../shared/kpi/types.ts';
import { emptyViews } from '../shared/kpi/views.ts';

export interface HubSource {
  readAllViews(): Promise<{ version: number | null; views: Record<ViewName, string | null> }>;
  /** The version of the served views (one GET). */
  readVersion(): Promise<number | null>;
  /** Calls back on every change message; resolves to an unsubscribe function. */
  subscribe(onChange: () => void): Promise<() => Promise<void>>;
}

export interface Snapshot {
  version: number | null;
  /** Each view's JSON (the empty view when never materialised). */
  views: Record<ViewName, string>;
  /** `{"version":…,"summary":{…},"revenue_per_minute":[…],…}`: sent as is to SSE clients. */
  payload: string;
}

export interface ChangeHub {
  current(): Promise<Snapshot>;
  /** The latest snapshot if it was confirmed against Redis within `maxAgeMs`, else undefined. */
  fresh(maxAgeMs?: number): Snapshot | undefined;
  /** Register a listener for new snapshots; returns the unregister function. */
  on(listener: (s: Snapshot) => void): () => void;
  listeners(): number;
  close(): Promise<void>;
}

const EMPTY = emptyViews();

/** All views as one JSON object, by concatenating the stored JSON strings (no parse). */
export function payloadOf(version: number | null, views: Record<ViewName, string | null>): string {
  let out = `{"version":${version ?? 'null'}`;
  for (const n of VIEW_NAMES) out += `,"${n}":${views[n] ?? JSON.stringify(EMPTY[n])}`;
  return out + '}';
}

export async function createChangeHub(src: HubSource, log: Logger, pollMs = 1_000): Promise<ChangeHub> {
  const listeners = new Set<(s: Snapshot) => void>();
  let last: Snapshot | undefined;
  let syncedAt = 0;

  const refresh = coalesce(async (): Promise<Snapshot> => {
    const t = Date.now();
    const { version, views } = await src.readAllViews();
    syncedAt = t;
    if (last && last.version === version && version !== null) return last;
    const full = {} as Record<ViewName, string>;
    for (const n of VIEW_NAMES) full[n] = views[n] ?? JSON.stringify(EMPTY[n]);
    const snap = { version, views: full, payload: payloadOf(version, views) };
    const changed = last !== undefined;
    last = snap;
    if (changed) for (const l of listeners) l(snap);
    return snap;
  });
  const kick = (): void => {
    refresh().catch((err: unknown) => log.warn('dashboard: reading the KPI views failed', { err }));
  };
  const poll = async (): Promise<void> => {
    const t = Date.now();
    const v = await src.readVersion();
    if (last && v === last.version) syncedAt = t;
    else await refresh();
  };

  const unsubscribe = await src.subscribe(kick);
  let failing = false;
  const timer = setInterval(() => {
    poll().then(
      () => {
        if (failing) log.info('dashboard: Redis answers again');
        failing = false;
      },
      (err: unknown) => {
        if (!failing) log.warn('dashboard: cannot read the KPI views from Redis (serving 503 until it answers)', { err });
        failing = true;
      },
    );
  }, pollMs);
  timer.unref();

  return {
    current: () => (last ? Promise.resolve(last) : refresh()),
    fresh: (maxAgeMs = 3 * pollMs) => (last && Date.now() - syncedAt <= maxAgeMs ? last : undefined),
    on(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    listeners: () => listeners.size,
    async close() {
      clearInterval(timer);
      listeners.clear();
      await unsubscribe();
    },
  };
}
