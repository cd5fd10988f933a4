/**
 * The open alerts and their life cycle (docs/alerts.md "Open, update, resolve"). Pure.
 *
 * A verdict per subject per evaluated second says whether the signal is abnormal (a finding)
 * and whether it is back to normal. An alert opens on the first finding, with an id made of its
 * kind, subject and started_at (so a replay computes the same id); it is updated only when its
 * severity rises (detected_at stays the time it was raised; detail.updated_at says when); it resolves once the NORMAL condition (looser than the opening one:
 * hysteresis) has held for `resolveHoldS` consecutive seconds. While an alert is open, no second
 * alert of the same key opens.
 */
import type { Alert, AlertChange, AlertKind, AlertSeverity, AlertSubject } from './alert.ts';

export interface Finding {
  subject: AlertSubject;
  /** Event time the abnormal window began. */
  startedMs: number;
  observed: number;
  expected: number;
  severity: AlertSeverity;
  detail: Record<string, number | string>;
}

export interface Verdict {
  /** One key per detector and subject, e.g. `payment_failure:credit_card`, `demand_drop`. */
  key: string;
  kind: AlertKind;
  finding: Finding | null;
  /** The normal (resolve) condition holds. */
  normal: boolean;
  /** The current measurement, for updates and the resolved record. */
  observed: number;
  expected: number;
}

export interface OpenAlert {
  alert: Alert;
  okRun: number;
}

export interface Book {
  open: Record<string, OpenAlert>;
  /** Recent alert intervals (ms), for masking the baselines' learning. */
  recent: { key: string; from: number; to: number | null }[];
}

export function createBook(): Book {
  return { open: {}, recent: [] };
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;

export function subjectText(subject: AlertSubject): string {
  return Object.keys(subject)
    .sort()
    .map((k) => `${k}=${subject[k]}`)
    .join(',');
}

/** The deterministic alert id: kind, subject and started_at. */
export function alertId(kind: AlertKind, subject: AlertSubject, startedAt: string): string {
  return `${kind}:${subjectText(subject)}:${startedAt}`;
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { warning: 0, critical: 1 };

/** Applies one second's verdict at event time `atMs` (the end of the evaluated second); returns the changes. */
export function applyVerdict(book: Book, v: Verdict, atMs: number, resolveHoldS: number): AlertChange[] {
  const cur = book.open[v.key];
  const at = new Date(atMs).toISOString();
  if (cur === undefined) {
    if (v.finding === null) return [];
    const f = v.finding;
    // No new alert from a window that reaches back into the previous alert of this key (its
    // long windows still hold the incident just resolved).
    if (book.recent.some((r) => r.key === v.key && r.to !== null && f.startedMs < r.to)) return [];
    const startedAt = new Date(f.startedMs).toISOString();
    const alert: Alert = {
      id: alertId(v.kind, f.subject, startedAt),
      kind: v.kind,
      subject: f.subject,
      started_at: startedAt,
      detected_at: at,
      observed: round(f.observed),
      expected: round(f.expected),
      severity: f.severity,
      resolved_at: null,
      detail: f.detail,
    };
    book.open[v.key] = { alert, okRun: 0 };
    book.recent.push({ key: v.key, from: f.startedMs, to: null });
    return [{ type: 'opened', alert: { ...alert } }];
  }
  const changes: AlertChange[] = [];
  if (v.finding !== null && SEVERITY_RANK[v.finding.severity] > SEVERITY_RANK[cur.alert.severity]) {
    cur.alert = { ...cur.alert, severity: v.finding.severity, observed: round(v.finding.observed), expected: round(v.finding.expected), detail: { ...v.finding.detail, updated_at: at } };
    changes.push({ type: 'updated', alert: { ...cur.alert } });
  }
  // Only the normal condition decides resolution: a long window still holding the incident's
  // first minutes must not keep an alert open after the signal is back.
  if (!v.normal) {
    cur.okRun = 0;
    return changes;
  }
  cur.okRun++;
  if (cur.okRun < resolveHoldS) return changes;
  // Resolved at the start of the normal run that held (event time).
  const resolvedMs = atMs - (resolveHoldS - 1) * 1000;
  const alert: Alert = { ...cur.alert, observed: round(v.observed), expected: round(v.expected), resolved_at: new Date(resolvedMs).toISOString() };
  delete book.open[v.key];
  for (const r of book.recent) if (r.key === v.key && r.to === null) r.to = resolvedMs;
  return [{ type: 'resolved', alert }];
}

/**
 * Whether [from, to] (ms) is within `marginMs` of an alert interval whose key starts with
 * `prefix`, counting at most `maxMs` of each interval (a lasting change must become the norm, or
 * an alert that never resolves would freeze its baseline for ever).
 */
export function masked(book: Book, prefix: string, fromMs: number, toMs: number, marginMs: number, maxMs: number): boolean {
  for (const r of book.recent) {
    if (!r.key.startsWith(prefix)) continue;
    const end = Math.min(r.to ?? Number.POSITIVE_INFINITY, r.from + maxMs);
    if (toMs >= r.from - marginMs && fromMs <= end + marginMs) return true;
  }
  return false;
}

/** Forget intervals that ended before t. */
export function prune(book: Book, beforeMs: number): void {
  book.recent = book.recent.filter((r) => r.to === null || r.to >= beforeMs);
}
