/**
 * The dashboard's read cache of the batch results (docs/contracts.md §10): the stored
 * AnalyticsResult and QualityReport, with every served JSON (the five history views, the report)
 * built once per change, not per request. Invalidated by the PUBLISH that RedisResultStore sends
 * on `<prefix>history:changed` with each save, and confirmed by a poll (a lost message costs at most
 * one poll interval). Like the KPI hub, a snapshot is served only while known fresh; otherwise a
 * request reads Redis (and fails with 503 when Redis does not answer).
 */
import { keepFresh, withListeners } from './fresh.ts';
import type { Logger } from '../shared/platform/log.ts';
import type { ResultStore } from '../shared/analytics/store.ts';
import type { AnalyticsResult } from '../shared/analytics/types.ts';
import { HISTORY_VIEWS, type HistoryViewName } from '../shared/analytics/views.ts';

export type ResultDoc = 'history' | 'quality';

export interface ResultSource extends Pick<ResultStore, 'loadHistory' | 'loadQuality'> {
  /** Calls back on every save (with the document's name, or none after a reconnect); resolves to an unsubscribe function. */
  subscribe(onChange: (doc?: ResultDoc) => void): Promise<() => Promise<void>>;
}

export const HISTORY_VIEW_NAMES = Object.keys(HISTORY_VIEWS) as HistoryViewName[];

export interface HistoryJson {
  /** Each view's served JSON, by route name (`summary`, `daily`, `categories`, `state-category`, `payments-daily`). */
  views: Record<HistoryViewName, string>;
  /** All five in one object keyed by route name: the SSE `history` event and `GET /api/history`. */
  payload: string;
}

export interface ResultsSnapshot {
  /** null before the first analytics run. */
  history: HistoryJson | null;
  /** The QualityReport JSON; null before the first quality check. */
  quality: string | null;
}

export interface ResultsCache {
  /** The snapshot if confirmed against Redis within `maxAgeMs`, else a fresh read (throws when Redis does not answer). */
  read(maxAgeMs?: number): Promise<ResultsSnapshot>;
  /** The newest snapshot read so far (no I/O; the SSE stream's first events). */
  current(): Promise<ResultsSnapshot>;
  /** Called with the document that changed and the new snapshot. */
  on(listener: (doc: ResultDoc, s: ResultsSnapshot) => void): () => void;
  close(): Promise<void>;
}

export function historyJson(r: AnalyticsResult): HistoryJson {
  const views = {} as Record<HistoryViewName, string>;
  let payload = '{';
  for (const [i, name] of HISTORY_VIEW_NAMES.entries()) {
    views[name] = JSON.stringify(HISTORY_VIEWS[name](r));
    payload += `${i ? ',' : ''}"${name}":${views[name]}`;
  }
  return { views, payload: payload + '}' };
}

export async function createResultsCache(src: ResultSource, log: Logger, pollMs = 2_000): Promise<ResultsCache> {
  const listeners = new Set<(doc: ResultDoc, s: ResultsSnapshot) => void>();
  let prev: ResultsSnapshot | undefined;
  let rawHistory: string | null = null;
  const fresh = await keepFresh<ResultsSnapshot>({
    async load() {
      const [h, q] = await Promise.all([src.loadHistory(), src.loadQuality()]);
      const hRaw = h === null ? null : JSON.stringify(h);
      const qRaw = q === null ? null : JSON.stringify(q);
      const first = prev === undefined;
      const historyChanged = first || hRaw !== rawHistory;
      const qualityChanged = first || qRaw !== prev?.quality;
      if (!historyChanged && !qualityChanged) return prev as ResultsSnapshot;
      rawHistory = hRaw;
      const snap: ResultsSnapshot = { history: historyChanged ? (h === null ? null : historyJson(h)) : (prev?.history ?? null), quality: qRaw };
      prev = snap;
      if (!first) {
        for (const l of listeners) {
          if (historyChanged) l('history', snap);
          if (qualityChanged) l('quality', snap);
        }
      }
      return snap;
    },
    subscribe: (onChange) => src.subscribe(() => onChange()),
    pollMs,
    log,
    what: 'the batch results',
  });
  return withListeners(fresh, listeners);
}
