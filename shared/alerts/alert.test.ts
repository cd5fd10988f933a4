import { describe, expect, it } from 'vitest';
import { decodeAlertChange, encodeAlertChange, type AlertChange } from './alert.ts';
import { ValidationError } from '../platform/errors.ts';

const change: AlertChange = {
  type: 'opened',
  alert: {
    id: 'payment_failure:payment_method=card:2026-12-02T10:00:00.000Z',
    kind: 'payment_failure',
    subject: { payment_method: 'card' },
    started_at: '2026-12-02T10:00:00.000Z',
    detected_at: '2026-12-02T10:00:07.000Z',
    observed: 0.42,
    expected: 0.03,
    severity: 'critical',
    resolved_at: null,
  },
};

describe('alert change codec', () => {
  it('round-trips', () => {
    expect(decodeAlertChange(encodeAlertChange(change))).toEqual(change);
    expect(decodeAlertChange(Buffer.from(encodeAlertChange(change)))).toEqual(change);
  });
  it('rejects malformed input with what is wrong', () => {
    expect(() => decodeAlertChange('{')).toThrow(ValidationError);
    expect(() => decodeAlertChange(JSON.stringify({ ...change, type: 'x' }))).toThrow(/type must be/);
    expect(() => decodeAlertChange(JSON.stringify({ ...change, alert: { ...change.alert, kind: 'nope', observed: 'a' } }))).toThrow(/alert\.kind, alert\.observed/);
    expect(() => decodeAlertChange(JSON.stringify({ type: 'resolved', alert: change.alert }))).toThrow(/needs alert\.resolved_at/);
  });
});
