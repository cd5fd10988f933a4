/**
 * The alert store's rules (issue 11, docs/alert-delivery.md), pure: which changes are the same
 * (dedupe key), which change is newer for one alert (rank), what is open, what the dashboard
 * reads. The Redis adapter (adapters/store-redis.ts) applies them atomically in one script.
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertChange } from './alert.ts';

/** Resolved alerts are kept at most this long after the newest alert (event time) … */
export const RECENT_RETENTION_MS = 7 * 24 * 3600_000;
/** … and dedupe keys this long (wall time) and at most this many. */
export const SEEN_RETENTION_MS = 7 * 24 * 3600_000;
export const SEEN_MAX = 10_000;

/**
 * The identity of one change: the same (alert.id, type, detected_at) sent twice (redelivery, or
 * the detector re-sending after a crash) is one change. A fixed-size hash: it is a Redis member
 * and the webhook's X-OrderPulse-Delivery header.
 */
export function changeKey(c: AlertChange): string {
  return createHash('sha256').update(`${c.alert.id}\u001f${c.type}\u001f${c.alert.detected_at}`).digest('hex').slice(0, 32);
}

/**
 * Orders the changes of ONE alert: a change is applied only when its rank is greater than the
 * stored one, so a stale or replayed change never rolls an alert back (an `opened` after its
 * `resolved` does not reopen it). Resolved is final; before it, later detected_at wins, and
 * `updated` wins over `opened` at the same detected_at. Fixed width: compared as strings.
 */
export function changeRank(c: AlertChange): string {
  const t = Date.parse(c.alert.detected_at);
  const ms = String(Math.max(0, Math.min(t, 9_999_999_999_999))).padStart(13, '0');
  return `${c.type === 'resolved' ? 1 : 0}:${ms}:${c.type === 'opened' ? 0 : 1}`;
}

/** Open after this change: not a `resolved` change and no resolved_at. */
export const isOpenAfter = (c: AlertChange): boolean => c.type !== 'resolved' && c.alert.resolved_at === null;

/** A change ready for the store: decoded, keyed, ranked. */
export interface PreparedChange {
  key: string;
  rank: string;
  open: boolean;
  change: AlertChange;
  /** Encoded AlertChange (the webhook body, stored in the outbox). */
  json: string;
}

export function prepareChange(change: AlertChange): PreparedChange {
  return { key: changeKey(change), rank: changeRank(change), open: isOpenAfter(change), change, json: JSON.stringify(change) };
}

/** What the store did with one change. */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale';

export interface AlertSnapshot {
  /** Bumped by every applied change; 0 before any. */
  version: number;
  /** Open alerts: critical first, then newest detected_at first. */
  open: Alert[];
  /** Latest state of the recent alerts (open ones included), newest detected_at first. */
  recent: Alert[];
}

export const EMPTY_SNAPSHOT: AlertSnapshot = { version: 0, open: [], recent: [] };

const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1 };

export function sortOpen(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) || Date.parse(b.detected_at) - Date.parse(a.detected_at) || a.id.localeCompare(b.id));
}

export function sortRecent(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => Date.parse(b.detected_at) - Date.parse(a.detected_at) || a.id.localeCompare(b.id));
}

export interface AlertStoreOptions {
  /** Also queue each applied change for the webhook (ALERT_WEBHOOK_URL set). */
  webhook: boolean;
  /** Most recent alerts kept (ALERT_RECENT_MAX). */
  recentMax: number;
  /** Wall clock, ms (dedupe retention). */
  now: number;
}

/** The Redis side of delivery (adapters/store-redis.ts). */
export interface AlertStore {
  /** Applies the changes in order, atomically; one outcome per change. Publishes one notice when any applied. */
  apply(changes: readonly PreparedChange[], opts: AlertStoreOptions): Promise<ApplyOutcome[]>;
  snapshot(): Promise<AlertSnapshot>;
  /** The version alone (one GET): the dashboard's poll. */
  version(): Promise<number>;
}

/** One queued webhook delivery as claimed by a drainer. */
export interface OutboxItem {
  key: string;
  /** This attempt's number (1 = first). */
  attempt: number;
  /** The AlertChange JSON (the POST body). */
  body: string;
}

/** The webhook outbox (Redis: survives restarts; several drainers share it safely through leases). */
export interface Outbox {
  /** Up to `max` due items; each is leased (not due again) for `leaseMs` and its attempt counted. */
  claim(max: number, now: number, leaseMs: number): Promise<{ items: OutboxItem[]; depth: number }>;
  /** Delivered: remove it. */
  done(key: string): Promise<void>;
  /** Failed, try again at `dueAt`. */
  retryAt(key: string, dueAt: number): Promise<void>;
  /** Failed for good: remove it, keep it in the dead list with the reason. */
  giveUp(key: string, item: OutboxItem, reason: string, now: number): Promise<void>;
}
