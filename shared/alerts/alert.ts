/**
 * The one shape of an alert (issue 11, docs/alerts.md). The detector (shared/alerts, function
 * `alert-detect`) writes AlertChange records to the Kafka topic `alerts` (key = alert id); the
 * delivery side (function `alert-deliver`) keeps them in Redis, pushes them to the dashboard over
 * SSE and POSTs them to ALERT_WEBHOOK_URL. Times are ISO-8601 UTC strings; started_at and
 * detected_at are EVENT time (the order timestamps that opened the alert and that detected it).
 */
import { ValidationError } from '../platform/errors.ts';

export const ALERT_KINDS = ['payment_failure', 'demand_surge', 'demand_drop'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** What the alert is about: e.g. { payment_method: 'card' } or { scope: 'all' } or { sale: 'flash-…' }. */
export type AlertSubject = Readonly<Record<string, string>>;

export interface Alert {
  /** Deterministic from kind, subject and started_at: a replay computes the same id. */
  id: string;
  kind: AlertKind;
  subject: AlertSubject;
  /** Event time the abnormal signal began (start of the first abnormal window). */
  started_at: string;
  /** Event time at which the detector raised it. */
  detected_at: string;
  /** The measured value (failure rate 0..1, or orders per minute). */
  observed: number;
  /** The baseline it was compared with (same unit as observed). */
  expected: number;
  severity: AlertSeverity;
  /** Event time the signal returned to normal; null while open. */
  resolved_at: string | null;
  /** Free-form numbers explaining the decision (window_s, attempts, z, p…). */
  detail?: Readonly<Record<string, number | string>>;
}

/** One change of an alert as written to the `alerts` topic: opened, updated (observed/severity), resolved. */
export interface AlertChange {
  type: 'opened' | 'updated' | 'resolved';
  alert: Alert;
}

const isIso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Parses and checks one AlertChange (a Kafka message value); throws ValidationError saying what is wrong. */
export function decodeAlertChange(raw: string | Buffer): AlertChange {
  let v: unknown;
  try {
    v = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    throw new ValidationError('alert_json', 'alert change is not JSON', { cause: err });
  }
  const c = v as Partial<AlertChange> | null;
  const a = c?.alert as Partial<Alert> | undefined;
  const problems: string[] = [];
  if (c === null || typeof c !== 'object') problems.push('not an object');
  else {
    if (c.type !== 'opened' && c.type !== 'updated' && c.type !== 'resolved') problems.push('type must be opened|updated|resolved');
    if (a === undefined || a === null || typeof a !== 'object') problems.push('alert missing');
    else {
      if (typeof a.id !== 'string' || a.id === '') problems.push('alert.id');
      if (!ALERT_KINDS.includes(a.kind as AlertKind)) problems.push('alert.kind');
      if (a.subject === null || typeof a.subject !== 'object') problems.push('alert.subject');
      if (!isIso(a.started_at)) problems.push('alert.started_at');
      if (!isIso(a.detected_at)) problems.push('alert.detected_at');
      if (typeof a.observed !== 'number' || !Number.isFinite(a.observed)) problems.push('alert.observed');
      if (typeof a.expected !== 'number' || !Number.isFinite(a.expected)) problems.push('alert.expected');
      if (!ALERT_SEVERITIES.includes(a.severity as AlertSeverity)) problems.push('alert.severity');
      if (a.resolved_at !== null && !isIso(a.resolved_at)) problems.push('alert.resolved_at');
      if (c.type === 'resolved' && a.resolved_at === null) problems.push('a resolved change needs alert.resolved_at');
    }
  }
  if (problems.length > 0) throw new ValidationError('alert_invalid', `invalid alert change: ${problems.join(', ')}`);
  return c as AlertChange;
}

export const encodeAlertChange = (c: AlertChange): string => JSON.stringify(c);
