import { sql, type SqlBool } from 'kysely';
import type { RetentionPeriod } from '../../privacy/vocabulary.js';
import { deleteAfter } from '../delete-after.js';
import { cutoffFor, describePeriod } from '../period.js';
import type { Purger } from '../types.js';

/**
 * Sent jobs hold record ids only, so this is housekeeping rather than a privacy rule: a month is
 * long enough to answer "was the notification sent?" and short enough to keep the table small.
 */
export const SENT_OUTBOX_PERIOD: RetentionPeriod = { days: 30 };

/**
 * Jobs this housekeeping leaves at `now`: unsent, or sent within the period. A purger that also
 * deletes outbox jobs (those naming its records) runs after this one and counts only these, so
 * a dry run reports each job once, under the purger that a real run removes it with.
 */
export const notSentOutboxDue = (now: Date) => {
  const cutoff = cutoffFor(now, SENT_OUTBOX_PERIOD).toISOString();
  return sql<SqlBool>`(outbox.sent_at is null or outbox.sent_at > ${cutoff})`;
};

export const sentOutboxPurger: Purger = {
  key: 'outbox_sent',
  title: 'Sent email jobs (record ids only)',
  rule: null,
  period: `${describePeriod(SENT_OUTBOX_PERIOD)} after sending`,
  action: 'deleted',
  ...deleteAfter('outbox', 'sent_at', SENT_OUTBOX_PERIOD),
};
