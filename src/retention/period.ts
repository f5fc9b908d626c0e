import {
  retentionClocks,
  type RetentionClock,
  type RetentionPeriod,
} from '../privacy/vocabulary.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * `at` moved by `sign` times the period. Months and years are calendar months in UTC, clamped to
 * the end of a shorter month (31 March minus one month is 28 or 29 February), so a period never
 * spills into the month after.
 */
function shift(at: Date, period: RetentionPeriod, sign: 1 | -1): Date {
  if ('hours' in period) return new Date(at.getTime() + sign * period.hours * HOUR);
  if ('days' in period) return new Date(at.getTime() + sign * period.days * DAY);
  const months = 'years' in period ? period.years * 12 : period.months;
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + sign * months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** Records whose clock started at or before this moment are due at `now`. */
export const cutoffFor = (now: Date, period: RetentionPeriod): Date => shift(now, period, -1);

/** When a record whose clock started at `start` becomes due. */
export const dueAt = (start: Date, period: RetentionPeriod): Date => shift(start, period, 1);

/** "24 months", "5 years", "90 days": the period in words for the console and the CLI. */
export function describePeriod(period: RetentionPeriod): string {
  const [unit, n] = Object.entries(period)[0] as [string, number];
  return `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
}

/** "24 months after the last contact with the person": a rule's period and clock in words. */
export const describeRule = (rule: { period: RetentionPeriod; from: RetentionClock }): string =>
  `${describePeriod(rule.period)} after ${retentionClocks[rule.from]}`;
