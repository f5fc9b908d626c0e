import type { SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { RetentionRule } from '../privacy/vocabulary.js';

/** What one purger removed, or would remove: its own records and the rows that went with them. */
export interface PurgeCounts {
  records: number;
  related?: Record<string, number>;
}

/**
 * One retention rule made executable. Every method is a plain function of the database and the
 * moment it is asked about, so a run (or a dry run, or the console) can fix "now" once.
 */
export interface Purger {
  /** Stable key in recorded run counts; never rename one that has run. */
  key: string;
  /** What it removes, for the console and the CLI. */
  title: string;
  /** The data-map retention rule it enforces; null for housekeeping of non-personal rows. */
  rule: RetentionRule | null;
  /** The period and its clock in words, e.g. "24 months after the last contact with the person". */
  period: string;
  action: 'deleted' | 'anonymised';
  /** How many records are due at `now`, changing nothing. */
  count(db: Db, now: Date): Promise<PurgeCounts>;
  /**
   * Removes at most `limit` due records in one short transaction and reports them. Fewer than
   * `limit` means nothing more is due; running it again when nothing is due changes nothing.
   */
  purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts>;
  /** When the next record that is not yet due becomes due; null when there is none. */
  nextDue(db: Db, now: Date): Promise<Date | null>;
}

/** How many rows a query finds (PostgreSQL counts arrive as strings). */
export async function countRows<D, TB extends keyof D, O>(
  query: SelectQueryBuilder<D, TB, O>,
): Promise<number> {
  // Kysely cannot name the selected row's type for a generic table, so it is stated here.
  const row = (await query
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirst()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** Adds `b` into `a`, related counts included. */
export function addCounts(a: PurgeCounts, b: PurgeCounts): PurgeCounts {
  const related = { ...a.related };
  for (const [k, v] of Object.entries(b.related ?? {})) related[k] = (related[k] ?? 0) + v;
  return b.related || a.related
    ? { records: a.records + b.records, related }
    : { records: a.records + b.records };
}
