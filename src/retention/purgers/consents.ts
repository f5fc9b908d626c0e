import type { Db } from '../../db/database.js';
import { retention } from '../../privacy/vocabulary.js';
import { cutoffFor, describeRule, dueAt } from '../period.js';
import { notHeld } from '../sql.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

const { period, from } = retention.consent;

/**
 * Consent records are proof of what a person agreed to, kept five years after the withdrawal
 * that ended them. A record is due when a withdrawal of the same subject, purpose and channel,
 * made at or before the cutoff, came after it (or is the record itself). A grant given again
 * after that withdrawal is newer than it, so it stays, with the history that follows.
 */
function due(db: Db, now: Date) {
  const cutoff = cutoffFor(now, period).toISOString();
  return db
    .selectFrom('consents as r')
    .where(notHeld('r.subject_id', 'r.subject_type'))
    .where((outer) =>
      outer.exists(
        outer
          .selectFrom('consents as w')
          .select('w.id')
          .whereRef('w.subject_type', '=', 'r.subject_type')
          .whereRef('w.subject_id', '=', 'r.subject_id')
          .whereRef('w.purpose', '=', 'r.purpose')
          .whereRef('w.channel', '=', 'r.channel')
          .where('w.granted', '=', 0)
          .where('w.at', '<=', cutoff)
          .where((eb) => eb.or([eb('w.at', '>', eb.ref('r.at')), eb('w.id', '=', eb.ref('r.id'))])),
      ),
    );
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    // Oldest first: a withdrawal is deleted only with or after everything it ended, so a chunk
    // boundary can never leave a grant standing without the withdrawal that cancelled it.
    const rows = await due(trx, now)
      .select('r.id')
      .orderBy('r.at')
      .orderBy('r.id')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) await trx.deleteFrom('consents').where('id', 'in', ids).execute();
    return { records: ids.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('consents')
    .where('granted', '=', 0)
    .where('at', '>', cutoffFor(now, period).toISOString())
    .where(notHeld('consents.subject_id', 'consents.subject_type'))
    .select((eb) => eb.fn.min('at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), period) : null;
}

export const consentPurger: Purger = {
  key: 'consent',
  title: 'Consent records, kept as proof after withdrawal',
  rule: 'consent',
  period: describeRule({ period, from }),
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
