/**
 * The dashboard's read cache of the alerts (issue 11, docs/alert-delivery.md): open and recent
 * alerts as alert-deliver keeps them in Redis, serialised once per change for `GET /api/alerts`
 * and the SSE `alerts` event. Kept fresh by dashboard/fresh.ts: alert-deliver PUBLISHes on
 * `<prefix>alerts:changed` in the script that writes them; a poll of the version (one GET, every
 * `pollMs`) covers a lost message. Served only while known fresh; otherwise read from Redis.
 */
import { keepFresh, withListeners } from './fresh.ts';
import type { Logger } from '../shared/platform/log.ts';
import type { AlertSnapshot } from '../shared/alerts/store.ts';

export interface AlertSource {
  snapshot(): Promise<AlertSnapshot>;
  version(): Promise<number>;
  /** Calls back on every change notice (and after a reconnect); resolves to an unsubscribe function. */
  subscribe(onChange: () => void): Promise<() => Promise<void>>;
}

export interface AlertsJson {
  version: number;
  /** `{"version":…,"open":[…],"recent":[…]}`: the API body and the SSE event's data. */
  payload: string;
}

export interface AlertsCache {
  /** The snapshot if confirmed against Redis within `maxAgeMs`, else a fresh read (throws when Redis does not answer). */
  read(maxAgeMs?: number): Promise<AlertsJson>;
  /** The newest snapshot read so far (the SSE stream's first event). */
  current(): Promise<AlertsJson>;
  on(listener: (a: AlertsJson) => void): () => void;
  close(): Promise<void>;
}

export const alertsJson = (s: AlertSnapshot): AlertsJson => ({ version: s.version, payload: JSON.stringify({ version: s.version, open: s.open, recent: s.recent }) });

export async function createAlertsCache(src: AlertSource, log: Logger, pollMs = 1_000): Promise<AlertsCache> {
  const listeners = new Set<(a: AlertsJson) => void>();
  let prev: AlertsJson | undefined;
  const fresh = await keepFresh<AlertsJson>({
    async load() {
      const snap = alertsJson(await src.snapshot());
      if (prev && prev.version === snap.version && prev.payload === snap.payload) return prev;
      const changed = prev !== undefined;
      prev = snap;
      if (changed) for (const l of listeners) l(snap);
      return snap;
    },
    stillCurrent: async (last) => (await src.version()) === last.version,
    subscribe: (onChange) => src.subscribe(onChange),
    pollMs,
    log,
    what: 'the alerts',
  });
  return withListeners(fresh, listeners);
}
