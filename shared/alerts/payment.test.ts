import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from './params.ts';
import { evaluatePayment, type PaymentWindows } from './payment.ts';
import type { CusumAlarm } from './cusum.ts';

const END = Date.parse('2026-11-03T08:10:00Z');
const BASE = { a: 5_000, f: 400 }; // p0 = 0.08
const alarm: CusumAlarm = { startedSec: END / 1000 - 400, attempts: 60, failures: 18, s: 12.4, h: 12.2, p1: 0.3 };
const win = (a60: number, f60: number, a300 = a60 * 5, f300 = f60 * 5, a10 = 0, f10 = 0): PaymentWindows => ({ 10: { crypto: [a10, f10] }, 60: { crypto: [a60, f60] }, 300: { crypto: [a300, f300] } });

describe('one verdict per method from the windows and the CUSUM', () => {
  it('a CUSUM alarm alone is the finding: started at the excursion start, detail.test cusum, not normal', () => {
    const v = evaluatePayment('crypto', BASE, win(7, 2), END, DEFAULT_PARAMS, { alarm, d: 0 })!;
    expect(v.key).toBe('payment_failure:crypto');
    expect(v.finding).toMatchObject({ startedMs: alarm.startedSec * 1000, subject: { payment_method: 'crypto' }, detail: { test: 'cusum', attempts: 60, failures: 18 } });
    expect(v.normal).toBe(false);
  });

  it('when a window and the CUSUM fire in the same second, the window finding is the one', () => {
    const v = evaluatePayment('crypto', BASE, win(100, 10, 500, 50, 40, 30), END, DEFAULT_PARAMS, { alarm, d: 0 })!;
    expect(v.finding?.detail.test).toBe('window');
    expect(v.finding?.detail.window_s).toBe(10);
  });

  it('at low volume, normal needs the reverse statistic AND the 300 s window below the threshold', () => {
    const d = DEFAULT_PARAMS.payment.cusum.dClose;
    // 0 failures in the 60 s window's 6 attempts: the old rule said normal; the 300 s window still holds the outage
    expect(evaluatePayment('crypto', BASE, win(6, 0, 30, 9), END, DEFAULT_PARAMS, { alarm: null, d })!.normal).toBe(false);
    expect(evaluatePayment('crypto', BASE, win(6, 0, 30, 1), END, DEFAULT_PARAMS, { alarm: null, d: d - 0.5 })!.normal).toBe(false);
    expect(evaluatePayment('crypto', BASE, win(6, 0, 30, 1), END, DEFAULT_PARAMS, { alarm: null, d })!.normal).toBe(true);
  });

  it('at volume the 60 s Wilson bound decides, as before', () => {
    expect(evaluatePayment('crypto', BASE, win(300, 24), END, DEFAULT_PARAMS, { alarm: null, d: 0 })!.normal).toBe(true);
    expect(evaluatePayment('crypto', BASE, win(300, 60), END, DEFAULT_PARAMS, { alarm: null, d: 7 })!.normal).toBe(false);
  });
});
