import { describe, expect, it } from 'vitest';
import { nextFire, parseCron } from './cron.ts';

const at = (iso: string): Date => new Date(iso);
const next = (expr: string, after: string): string | undefined => nextFire(parseCron(expr), at(after))?.toISOString();

function fires(expr: string, from: string, n: number): string[] {
  const s = parseCron(expr);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const f = nextFire(s, t);
    if (!f) break;
    out.push(f.toISOString().slice(0, 16));
    t = f;
  }
  return out;
}

/** What a schedule fires on from `from` to `until` (exclusive): the distinct minutes, hours, months, weekdays and days. */
function fired(expr: string, from: string, until: string): { minutes: number[]; hours: number[]; months: number[]; weekdays: number[]; days: string[] } {
  const s = parseCron(expr);
  const sets = { minutes: new Set<number>(), hours: new Set<number>(), months: new Set<number>(), weekdays: new Set<number>(), days: new Set<string>() };
  const end = at(until).getTime();
  for (let t = nextFire(s, at(from)); t && t.getTime() < end; t = nextFire(s, t)) {
    sets.minutes.add(t.getUTCMinutes());
    sets.hours.add(t.getUTCHours());
    sets.months.add(t.getUTCMonth() + 1);
    sets.weekdays.add(t.getUTCDay());
    sets.days.add(t.toISOString().slice(0, 10));
  }
  const sorted = (x: Set<number>): number[] => [...x].sort((a, b) => a - b);
  return { minutes: sorted(sets.minutes), hours: sorted(sets.hours), months: sorted(sets.months), weekdays: sorted(sets.weekdays), days: [...sets.days].sort() };
}

/** Every day from `from` to `until` (exclusive) for which `keep(dayOfMonth, weekday)` holds. */
function daysWhere(from: string, until: string, keep: (dom: number, dow: number) => boolean): string[] {
  const out: string[] = [];
  for (let d = at(from); d < at(until); d = new Date(d.getTime() + 86_400_000)) if (keep(d.getUTCDate(), d.getUTCDay())) out.push(d.toISOString().slice(0, 10));
  return out;
}

describe('parseCron', () => {
  it('expands *, steps, ranges, lists and names', () => {
    const f = fired('*/15 9-17/4 1,15 JAN-mar mon-fri', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
    expect(f.minutes).toEqual([0, 15, 30, 45]);
    expect(f.hours).toEqual([9, 13, 17]);
    expect(f.months).toEqual([1, 2, 3]);
    // Days of month 1 and 15, days of week Monday–Friday, both restricted: a day fires when either matches.
    expect(f.days).toEqual(daysWhere('2024-01-01T00:00:00Z', '2024-04-01T00:00:00Z', (dom, dow) => dom === 1 || dom === 15 || (dow >= 1 && dow <= 5)));
  });

  it('treats day-of-week 7 as Sunday, and a/n as a, a+n, … to the maximum', () => {
    expect(fired('0 0 * * 7', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z').weekdays).toEqual([0]);
    expect(fired('0 0 * * 5-7', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z').weekdays).toEqual([0, 5, 6]);
    expect(fired('5/20 * * * *', '2024-01-01T00:00:00Z', '2024-01-01T03:00:00Z').minutes).toEqual([5, 25, 45]);
  });

  it('rejects malformed expressions with a clear message', () => {
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '*/0 * * * *', '5-1 * * * *', '1,,2 * * * *', 'a * * * *', '1-2-3 * * * *', '0 0 30 2 *']) {
      expect(() => parseCron(bad), bad).toThrow(/invalid cron expression/);
    }
  });

  it('accepts only 5 fields (no seconds or years) and says what it expects', () => {
    for (const bad of ['0 0 0 * * *', '0 0 0 * * * 2030', '', '@reboot']) {
      expect(() => parseCron(bad), bad).toThrow(/invalid cron expression.*expected 5 fields in UTC/);
    }
    expect(() => parseCron('* * * *')).toThrow(/it has 4 fields/);
    expect(() => parseCron('0 0 30 2 *')).toThrow(/it never fires/);
  });
});

describe('nextFire (UTC)', () => {
  it('every minute fires on the next whole minute, strictly after', () => {
    expect(next('* * * * *', '2024-05-05T10:00:00.000Z')).toBe('2024-05-05T10:01:00.000Z');
    expect(next('* * * * *', '2024-05-05T10:00:59.999Z')).toBe('2024-05-05T10:01:00.000Z');
  });

  it('*/5 fires at multiples of five minutes', () => {
    expect(fires('*/5 * * * *', '2024-05-05T10:03:10Z', 3)).toEqual(['2024-05-05T10:05', '2024-05-05T10:10', '2024-05-05T10:15']);
    expect(next('*/5 * * * *', '2024-05-05T23:58:00Z')).toBe('2024-05-06T00:00:00.000Z');
  });

  it('rolls over hours, days, months and years', () => {
    expect(next('30 2 * * *', '2024-12-31T03:00:00Z')).toBe('2025-01-01T02:30:00.000Z');
    expect(next('0 0 1 * *', '2024-01-31T12:00:00Z')).toBe('2024-02-01T00:00:00.000Z');
    expect(next('@yearly', '2024-06-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('0 12 29 2 *', '2025-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('day-of-week: 0 and 7 are Sunday; weekday ranges skip weekends', () => {
    // 2024-05-04 is a Saturday.
    expect(next('0 9 * * 0', '2024-05-04T10:00:00Z')).toBe('2024-05-05T09:00:00.000Z');
    expect(next('0 9 * * 7', '2024-05-04T10:00:00Z')).toBe('2024-05-05T09:00:00.000Z');
    expect(next('0 9 * * MON-FRI', '2024-05-04T10:00:00Z')).toBe('2024-05-06T09:00:00.000Z');
  });

  it('day-of-month OR day-of-week when both are restricted (Vixie cron)', () => {
    // 1st of the month or any Friday; from Sat 2024-05-04: the next is Fri 2024-05-10, then Fri 17, 24, 31, Sat 1 June.
    expect(fires('0 0 1 * FRI', '2024-05-04T00:00:00Z', 5)).toEqual(['2024-05-10T00:00', '2024-05-17T00:00', '2024-05-24T00:00', '2024-05-31T00:00', '2024-06-01T00:00']);
    // Only day-of-month restricted: Fridays do not count.
    expect(next('0 0 1 * *', '2024-05-04T00:00:00Z')).toBe('2024-06-01T00:00:00.000Z');
  });

  it('lists and ranges in hours and minutes', () => {
    expect(fires('0,30 8-9 * * *', '2024-05-05T07:00:00Z', 5)).toEqual(['2024-05-05T08:00', '2024-05-05T08:30', '2024-05-05T09:00', '2024-05-05T09:30', '2024-05-06T08:00']);
  });
});
