/**
 * The dashboard's change hub: one Redis subscription per process (cache-write PUBLISHes the new
 * version on `<prefix>changed`), one read of all prebuilt views per change (coalesced), and the
 * same pre-serialised payload broadcast to every SSE client. A slow poll of the views' version
 * covers a missed message (e.g. while the subscriber reconnects).
 */
import { coalesce } from '../shared/kpi/coalesce.ts';
import type { Logger } from '../shared/log.ts';
import { VIEW_NAMES, type ViewName } from '../shared/kpi/types.ts';
import { emptyViews } from '../shared/kpi/views.ts';

export interface HubSource {
  readAllViews(): Promise<{ version: number | null; views: Record<ViewName, string | null> }>;
  /** Calls back on every change message; resolves to an unsubscribe function. */
  subscribe(onChange: () => void): Promise<() => Promise<void>>;
}

export interface Snapshot {
  version: number | null;
  /** `{"version":…,"summary":{…},"revenue_per_minute":[…],…}`: sent as is to SSE clients. */
  payload: string;
}

export interface ChangeHub {
  current(): Promise<Snapshot>;
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

export async function createChangeHub(src: HubSource, log: Logger, pollMs = 5_000): Promise<ChangeHub> {
  const listeners = new Set<(s: Snapshot) => void>();
  let last: Snapshot | undefined;

  const refresh = coalesce(async (): Promise<Snapshot> => {
    const { version, views } = await src.readAllViews();
    if (last && last.version === version && version !== null) return last;
    const snap = { version, payload: payloadOf(version, views) };
    const changed = last !== undefined;
    last = snap;
    if (changed) for (const l of listeners) l(snap);
    return snap;
  });
  const kick = (): void => {
    refresh().catch((err: unknown) => log.warn('dashboard: reading the KPI views failed', { err }));
  };

  const unsubscribe = await src.subscribe(kick);
  const timer = setInterval(kick, pollMs);
  timer.unref();

  return {
    current: () => (last ? Promise.resolve(last) : refresh()),
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
