import type { Db } from '../../db/database.js';
import { retention } from '../../privacy/vocabulary.js';
import { cutoffFor, describeRule, dueAt } from '../period.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

const { period, from } = retention.staff_account;

/** The domain a closed account's address is replaced with: reserved, never deliverable. */
export const CLOSED_ACCOUNT_DOMAIN = 'closed.invalid';

// A closed account is anonymised, not deleted: its id stays, because holds, lead history and
// other records name staff by id; the email and password hash, the personal part, go.
function due(db: Db, now: Date) {
  return db
    .selectFrom('staff_users')
    .where('disabled_at', 'is not', null)
    .where('disabled_at', '<=', cutoffFor(now, period).toISOString())
    .where('email', 'not like', `%@${CLOSED_ACCOUNT_DOMAIN}`);
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const rows = await due(trx, now).select('id').orderBy('id').limit(limit).execute();
    for (const { id } of rows) {
      await trx
        .updateTable('staff_users')
        .set({
          email: `${id}@${CLOSED_ACCOUNT_DOMAIN}`,
          password_hash: '',
          last_login_at: null,
          name: null,
        })
        .where('id', '=', id)
        .execute();
      // The second factor goes with the password.
      await trx.deleteFrom('account_totp').where('account_id', '=', id).execute();
      await trx.deleteFrom('account_recovery_codes').where('account_id', '=', id).execute();
    }
    return { records: rows.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('staff_users')
    .where('disabled_at', '>', cutoffFor(now, period).toISOString())
    .select((eb) => eb.fn.min('disabled_at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), period) : null;
}

export const closedStaffPurger: Purger = {
  key: 'staff_account',
  title: 'Closed staff accounts (address and password removed, the id kept)',
  rule: 'staff_account',
  period: describeRule({ period, from }),
  action: 'anonymised',
  count,
  purgeChunk,
  nextDue,
};
