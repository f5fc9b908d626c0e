import { describe, expect, it } from 'vitest';
import { retention } from '../privacy/vocabulary.js';
import { cutoffFor, describePeriod, describeRule, dueAt } from './period.js';

const d = (s: string) => new Date(s);

describe('retention periods', () => {
  it('counts calendar months and years in UTC, clamped to the end of a short month', () => {
    expect(cutoffFor(d('2026-11-28T12:00:00Z'), { months: 24 }).toISOString()).toBe(
      '2024-11-28T12:00:00.000Z',
    );
    expect(cutoffFor(d('2026-03-31T00:00:00Z'), { months: 1 }).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
    expect(dueAt(d('2024-02-29T08:00:00Z'), { years: 5 }).toISOString()).toBe(
      '2029-02-28T08:00:00.000Z',
    );
    expect(dueAt(d('2025-01-31T00:00:00Z'), { months: 13 }).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
  });

  it('counts days and hours exactly', () => {
    expect(cutoffFor(d('2026-11-28T12:00:00Z'), { days: 90 }).toISOString()).toBe(
      '2026-08-30T12:00:00.000Z',
    );
    expect(dueAt(d('2026-11-28T12:00:00Z'), { hours: 12 }).toISOString()).toBe(
      '2026-11-29T00:00:00.000Z',
    );
  });

  it('says the period in words', () => {
    expect(describePeriod({ months: 24 })).toBe('24 months');
    expect(describePeriod({ years: 1 })).toBe('1 year');
    expect(describePeriod({ days: 90 })).toBe('90 days');
    expect(describeRule(retention.consent)).toBe('5 years after the withdrawal of the consent');
  });
});
