import type { Db } from '../../db/database.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

// One-time setup links: useless once used or expired, and kept no longer than that.
function due(db: Db, now: Date) {
  return db
    .selectFrom('setup_tokens')
    .where((eb) =>
      eb.or([eb('expires_at', '<=', now.toISOString()), eb('used_at', 'is not', null)]),
    );
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const rows = await due(trx, now)
      .select('token_hash')
      .orderBy('token_hash')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.token_hash);
    if (ids.length > 0)
      await trx.deleteFrom('setup_tokens').where('token_hash', 'in', ids).execute();
    return { records: ids.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('setup_tokens')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .select((eb) => eb.fn.min('expires_at').as('first'))
    .executeTakeFirst();
  return row?.first ? new Date(row.first) : null;
}

export const setupTokenPurger: Purger = {
  key: 'setup_token',
  title: 'Account setup links that were used or expired',
  rule: null,
  period: 'until used, or until the link expires',
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
