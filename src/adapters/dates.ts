// Date arithmetic in UTC, the one helper module for it. Two shapes: instants (Date) and calendar
// days ("YYYY-MM-DD"), for rules that count whole days whatever the time of day.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const addHours = (at: Date, hours: number): Date => new Date(at.getTime() + hours * HOUR_MS);
export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);

/**
 * `at` moved forward by `n` business days (Monday to Friday, UTC). Federal holidays are counted
 * as business days: that makes a deadline earlier, never later, so it errs on the safe side.
 */
export function addBusinessDays(at: Date, n: number): Date {
  let d = new Date(at.getTime());
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d;
}

/** Whole days left until `due` (rounded up; 0 or less when it has passed). */
export function daysLeft(due: Date, now: Date): number {
  return Math.ceil((due.getTime() - now.getTime()) / DAY_MS);
}

/** The calendar day (UTC) an instant falls on, as "YYYY-MM-DD". */
export const calendarDay = (at: Date): string => at.toISOString().slice(0, 10);

const dayStart = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

/** A calendar day moved by `n` days. */
export const addCalendarDays = (day: string, n: number): string =>
  calendarDay(new Date(dayStart(day) + n * DAY_MS));

/** Whole calendar days from `from` to `to`; negative when `to` is earlier. */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((dayStart(to) - dayStart(from)) / DAY_MS);
}

const longDateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });
/** "December 7, 2026": a stored ISO time as a person reads a date in a letter. */
export const longDate = (iso: string): string => longDateFormat.format(new Date(iso));
