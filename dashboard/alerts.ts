/**
 * The dashboard's read cache of the alerts (issue 11, docs/alert-delivery.md): open and recent
 * alerts as alert-deliver keeps them in Redis, serialised once per change for `GET /api/alerts`
 * and the SSE `alerts` event. Invalidated like the KPI hub: alert-deliver PUBLISHes on
 * `<prefix>alerts:changed` in the script that writes them; a poll of the version (one GET, every
 * `pollMs`) covers a lost message. Served only while known fresh; otherwise read from Redis.
 */
import { coalesce } from '../shared/kpi/coalesce.ts';
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
  let last: AlertsJson | undefined;
  let syncedAt = 0;

  const refresh = coalesce(async (): Promise<AlertsJson> => {
    const t = Date.now();
    const snap = alertsJson(await src.snapshot());
    syncedAt = t;
    if (last && last.version === snap.version && last.payload === snap.payload) return last;
    const changed = last !== undefined;
    last = snap;
    if (changed) for (const l of listeners) l(snap);
    return snap;
  });
  const poll = async (): Promise<void> => {
    const t = Date.now();
    const v = await src.version();
    if (last && v === last.version) syncedAt = t;
    else await refresh();
  };

  const unsubscribe = await src.subscribe(() => {
    refresh().catch((err: unknown) => log.warn('dashboard: reading the alerts failed', { err }));
  });
  let failing = false;
  const timer = setInterval(() => {
    poll().then(
      () => {
        if (failing) log.info('dashboard: the alerts answer again');
        failing = false;
      },
      (err: unknown) => {
        if (!failing) log.warn('dashboard: cannot read the alerts from Redis (serving 503 until it answers)', { err });
        failing = true;
      },
    );
  }, pollMs);
  timer.unref();

  return {
    read: (maxAgeMs = 3 * pollMs) => (last && Date.now() - syncedAt <= maxAgeMs ? Promise.resolve(last) : refresh()),
    current: () => (last ? Promise.resolve(last) : refresh()),
    on(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    async close() {
      clearInterval(timer);
      listeners.clear();
      await unsubscribe();
    },
  };
}
