import { IDLE_TIMEOUT_MS } from '../../accounts/service.js';
import type { Db } from '../../db/database.js';
import { retention, retentionClocks } from '../../privacy/vocabulary.js';
import { describePeriod } from '../period.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

const { period, from } = retention.session;

// A session is dead once past its absolute expiry or idle past the timeout; sign-in refuses it
// either way, so nothing is lost by deleting it.
function due(db: Db, now: Date) {
  const idleBefore = new Date(now.getTime() - IDLE_TIMEOUT_MS).toISOString();
  return db
    .selectFrom('sessions')
    .where((eb) =>
      eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', idleBefore)]),
    );
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  return { records: await countRows(due(db, now)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const rows = await due(trx, now).select('id_hash').orderBy('id_hash').limit(limit).execute();
    const ids = rows.map((r) => r.id_hash);
    if (ids.length > 0) await trx.deleteFrom('sessions').where('id_hash', 'in', ids).execute();
    return { records: ids.length };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const idleBefore = new Date(now.getTime() - IDLE_TIMEOUT_MS).toISOString();
  const row = await db
    .selectFrom('sessions')
    .where('expires_at', '>', now.toISOString())
    .where('last_seen_at', '>', idleBefore)
    .select((eb) => [eb.fn.min('expires_at').as('expires'), eb.fn.min('last_seen_at').as('seen')])
    .executeTakeFirst();
  if (!row?.expires || !row.seen) return null;
  const idleAt = new Date(row.seen).getTime() + IDLE_TIMEOUT_MS;
  return new Date(Math.min(new Date(row.expires).getTime(), idleAt));
}

export const sessionPurger: Purger = {
  key: 'session',
  title: 'Staff sign-in sessions that have ended',
  rule: 'session',
  period: `${describePeriod(period)} after ${retentionClocks[from]}, or ${IDLE_TIMEOUT_MS / 60_000} minutes idle`,
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
