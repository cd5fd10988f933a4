/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC.
 * Supports `*`, numbers, ranges `a-b`, steps `* /n` `a-b/n` `a/n`, lists `a,b-c`, month and
 * day names (JAN–DEC, SUN–SAT), day-of-week 0 or 7 for Sunday, and the macros @yearly,
 * @annually, @monthly, @weekly, @daily, @midnight, @hourly.
 * Day matching follows Vixie cron: when both day-of-month and day-of-week are restricted,
 * a day matches if EITHER matches.
 */
import { ValidationError } from '../shared/platform/errors.ts';

export interface CronSchedule {
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  daysOfWeek: ReadonlySet<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}
const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

function bad(expr: string, msg: string): ValidationError {
  return new ValidationError('cron', `invalid cron expression "${expr}": ${msg}`);
}

function value(expr: string, spec: FieldSpec, token: string): number {
  const upper = token.toUpperCase();
  if (spec.names) {
    const i = spec.names.indexOf(upper);
    if (i >= 0) return i + (spec.nameBase ?? 0);
  }
  if (!/^\d+$/.test(token)) throw bad(expr, `${spec.name} "${token}" is not a number`);
  const n = Number(token);
  if (n < spec.min || n > spec.max) throw bad(expr, `${spec.name} ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(expr: string, spec: FieldSpec, field: string): { set: Set<number>; restricted: boolean } {
  const set = new Set<number>();
  let restricted = true;
  for (const part of field.split(',')) {
    if (part === '') throw bad(expr, `empty list item in ${spec.name}`);
    const [rangePart, stepPart, extra] = part.split('/');
    if (extra !== undefined || rangePart === undefined || rangePart === '') throw bad(expr, `malformed ${spec.name} "${part}"`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) throw bad(expr, `step "${stepPart}" in ${spec.name} must be a positive integer`);
      step = Number(stepPart);
    }
    let lo: number;
    let hi: number;
    if (rangePart === '*') {
      lo = spec.min;
      hi = spec.max;
      if (stepPart === undefined) restricted = false;
    } else if (rangePart.includes('-')) {
      const [a, b, more] = rangePart.split('-');
      if (more !== undefined || !a || !b) throw bad(expr, `malformed range "${rangePart}" in ${spec.name}`);
      lo = value(expr, spec, a);
      hi = value(expr, spec, b);
      if (lo > hi) throw bad(expr, `range ${rangePart} in ${spec.name} is reversed`);
    } else {
      lo = value(expr, spec, rangePart);
      // `a/n` means a, a+n, … up to the field's maximum.
      hi = stepPart === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, restricted };
}

export function parseCron(expression: string): CronSchedule {
  const source = expression.trim();
  const expanded = MACROS[source.toLowerCase()] ?? source;
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw bad(source, `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const parsed = fields.map((f, i) => parseField(source, FIELDS[i]!, f));
  const dow = new Set([...parsed[4]!.set].map((d) => (d === 7 ? 0 : d)));
  const schedule: CronSchedule = {
    source,
    minutes: parsed[0]!.set,
    hours: parsed[1]!.set,
    daysOfMonth: parsed[2]!.set,
    months: parsed[3]!.set,
    daysOfWeek: dow,
    domRestricted: parsed[2]!.restricted,
    dowRestricted: parsed[4]!.restricted,
  };
  // Reject schedules that can never fire (e.g. 30 February): look 8 years ahead (covers leap years).
  if (nextFire(schedule, new Date(Date.UTC(2000, 0, 1))) === null) throw bad(source, 'it never fires');
  return schedule;
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  if (s.domRestricted) return dom;
  if (s.dowRestricted) return dow;
  return true;
}

/** The first fire time strictly after `after` (UTC, whole minutes), or null if none within 8 years. */
export function nextFire(s: CronSchedule, after: Date): Date | null {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 8 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return null;
}
