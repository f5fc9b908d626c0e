import type { Db } from '../db/database.js';
import { cutoffFor, describePeriod, dueAt } from '../retention/period.js';
import { countRows, type PurgeCounts, type Purger } from '../retention/types.js';
import { retention, retentionClocks } from '../privacy/vocabulary.js';

const { period, from } = retention.privacy_request;

// The request log: each closed request is deleted 24 months after it was closed (its link
// tokens go with it by foreign key). Open requests are never due.
function due(db: Db, now: Date) {
  return db
    .selectFrom('privacy_requests')
    .where('closed_at', 'is not', null)
    .where('closed_at', '<=', cutoffFor(now, period).toISOString());
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const rows = await due(trx, now)
      .select('id')
      .orderBy('closed_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) await trx.deleteFrom('privacy_requests').where('id', 'in', ids).execute();
    return { records: ids.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('privacy_requests')
    .where('closed_at', '>', cutoffFor(now, period).toISOString())
    .select((eb) => eb.fn.min('closed_at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), period) : null;
}

export const privacyRequestPurger: Purger = {
  key: 'privacy_request',
  title: 'The log of privacy requests and our answers',
  rule: 'privacy_request',
  period: `${describePeriod(period)} after ${retentionClocks[from]}`,
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
