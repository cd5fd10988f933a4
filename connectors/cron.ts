/**
 * Five-field cron schedules (minute hour day-of-month month day-of-week), evaluated in UTC,
 * parsed and evaluated by croner. What croner accepts in 5-field mode is accepted: `*`, numbers,
 * ranges `a-b`, steps `* /n` `a-b/n` and (sloppy ranges on, as before) `a/n`, lists, month and
 * day names, day-of-week 0 or 7 for Sunday, the macros @yearly … @hourly, and croner's
 * extensions (`L`, `W`, `#`, `+`, `?`). Day matching follows Vixie cron: when both day-of-month
 * and day-of-week are restricted, a day matches if EITHER matches.
 * A schedule that can never fire (e.g. 30 February) is rejected.
 */
import { Cron } from 'croner';
import { ValidationError } from '../shared/platform/errors.ts';

/** A parsed schedule. `pattern` is a paused croner job: it never triggers anything itself. */
export interface CronSchedule {
  readonly source: string;
  readonly pattern: Cron;
}

const FORMAT =
  '5 fields in UTC: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) day-of-week (0-7 or SUN-SAT), e.g. "*/5 * * * *"; or @hourly, @daily, @weekly, @monthly, @yearly';

function bad(expr: string, msg: string, cause?: unknown): ValidationError {
  return new ValidationError('cron', `invalid cron expression "${expr}": ${msg} (expected ${FORMAT})`, cause === undefined ? {} : { cause });
}

export function parseCron(expression: string): CronSchedule {
  const source = expression.trim();
  const fields = source === '' ? 0 : source.split(/\s+/).length;
  if (!source.startsWith('@') && fields !== 5) throw bad(source, `it has ${fields} field${fields === 1 ? '' : 's'}`);
  let pattern: Cron;
  try {
    pattern = new Cron(source, { mode: '5-part', timezone: 'UTC', sloppyRanges: true, paused: true });
  } catch (cause) {
    throw bad(source, (cause as Error).message.replace(/^CronPattern:\s*/, ''), cause);
  }
  const schedule: CronSchedule = { source, pattern };
  // Reject schedules that can never fire (e.g. 30 February).
  if (nextFire(schedule, new Date(Date.UTC(2000, 0, 1))) === null) throw bad(source, 'it never fires');
  return schedule;
}

/** The first fire time strictly after `after` (UTC, whole minutes), or null if there is none. */
export function nextFire(s: CronSchedule, after: Date): Date | null {
  return s.pattern.nextRun(after);
}
