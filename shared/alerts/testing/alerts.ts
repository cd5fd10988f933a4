/** Test helpers: alert changes with sensible defaults (unit and integration tests, the browser test). */
import type { Alert, AlertChange } from '../alert.ts';

export function alertOf(over: Partial<Alert> = {}): Alert {
  return {
    id: 'payment_failure:payment_method=crypto:2026-11-24T08:00:00.000Z',
    kind: 'payment_failure',
    subject: { payment_method: 'crypto' },
    started_at: '2026-11-24T08:00:00.000Z',
    detected_at: '2026-11-24T08:00:07.000Z',
    observed: 0.42,
    expected: 0.03,
    severity: 'critical',
    resolved_at: null,
    ...over,
  };
}

/** opened, then updated (later detected_at), then resolved: one alert's life. */
export function lifeOf(base: Alert): { opened: AlertChange; updated: AlertChange; resolved: AlertChange } {
  const t = Date.parse(base.detected_at);
  const at = (s: number): string => new Date(t + s * 1000).toISOString();
  return {
    opened: { type: 'opened', alert: base },
    updated: { type: 'updated', alert: { ...base, detected_at: at(30), observed: base.observed * 1.2 } },
    resolved: { type: 'resolved', alert: { ...base, detected_at: at(90), resolved_at: at(90) } },
  };
}
