import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.js';
import type { RetentionPeriod } from '../../privacy/vocabulary.js';
import { cutoffFor, describePeriod, dueAt } from '../period.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

/**
 * Sent jobs hold record ids only, so this is housekeeping rather than a privacy rule: a month is
 * long enough to answer "was the notification sent?" and short enough to keep the table small.
 */
export const SENT_OUTBOX_PERIOD: RetentionPeriod = { days: 30 };

function due(db: Db, now: Date) {
  return db
    .selectFrom('outbox')
    .where('sent_at', 'is not', null)
    .where('sent_at', '<=', cutoffFor(now, SENT_OUTBOX_PERIOD).toISOString());
}

/**
 * Jobs this housekeeping leaves at `now`: unsent, or sent within the period. A purger that also
 * deletes outbox jobs (those naming its records) runs after this one and counts only these, so
 * a dry run reports each job once, under the purger that a real run removes it with.
 */
export const notSentOutboxDue = (now: Date) => {
  const cutoff = cutoffFor(now, SENT_OUTBOX_PERIOD).toISOString();
  return sql<SqlBool>`(outbox.sent_at is null or outbox.sent_at > ${cutoff})`;
};

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const rows = await due(trx, now)
      .select('id')
      .orderBy('sent_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) await trx.deleteFrom('outbox').where('id', 'in', ids).execute();
    return { records: ids.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('outbox')
    .where('sent_at', '>', cutoffFor(now, SENT_OUTBOX_PERIOD).toISOString())
    .select((eb) => eb.fn.min('sent_at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), SENT_OUTBOX_PERIOD) : null;
}

export const sentOutboxPurger: Purger = {
  key: 'outbox_sent',
  title: 'Sent email jobs (record ids only)',
  rule: null,
  period: `${describePeriod(SENT_OUTBOX_PERIOD)} after sending`,
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
