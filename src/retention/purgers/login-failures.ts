import type { Db } from '../../db/database.js';
import { retention } from '../../privacy/vocabulary.js';
import { cutoffFor, describeRule, dueAt } from '../period.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

const { period, from } = retention.sign_in_failures;

// A counter row's window opened at window_started_at and lasts 15 minutes; past the retention
// period it throttles nothing and notices nothing, so it goes.
const cutoff = (now: Date) => cutoffFor(now, period).toISOString();

function due(db: Db, now: Date) {
  return db.selectFrom('login_failures').where('window_started_at', '<=', cutoff(now));
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const rows = await due(trx, now)
      .select(['account_key', 'source_key'])
      .orderBy('window_started_at')
      .limit(limit)
      .execute();
    for (const r of rows) {
      await trx
        .deleteFrom('login_failures')
        .where('account_key', '=', r.account_key)
        .where('source_key', '=', r.source_key)
        .where('window_started_at', '<=', cutoff(now))
        .execute();
    }
    return { records: rows.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('login_failures')
    .where('window_started_at', '>', cutoff(now))
    .select((eb) => eb.fn.min('window_started_at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), period) : null;
}

export const loginFailurePurger: Purger = {
  key: 'login_failures',
  title: 'Counters of failed staff sign-ins',
  rule: 'sign_in_failures',
  period: describeRule({ period, from }),
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
