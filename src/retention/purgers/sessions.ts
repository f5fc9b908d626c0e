import type { ExpressionBuilder } from 'kysely';
import { idleLimits } from '../../accounts/service.js';
import type { Db } from '../../db/database.js';
import type { AccountKind, Database } from '../../db/schema.js';
import { retention } from '../../privacy/vocabulary.js';
import { describeRule } from '../period.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

const { period, from } = retention.session;
const kinds = Object.entries(idleLimits) as [AccountKind, number][];
const SHORTEST_IDLE_MS = Math.min(...kinds.map(([, ms]) => ms));
const LONGEST_IDLE_MS = Math.max(...kinds.map(([, ms]) => ms));
const before = (now: Date, ms: number) => new Date(now.getTime() - ms).toISOString();

/** Idle past the limit of its kind of account (staff 15 minutes, others 30). */
const idle = (eb: ExpressionBuilder<Database, 'sessions'>, now: Date) =>
  eb.or(
    kinds.map(([kind, ms]) =>
      eb.and([eb('account_kind', '=', kind), eb('last_seen_at', '<=', before(now, ms))]),
    ),
  );

// A session is dead once past its absolute expiry or idle past the limit of its kind; sign-in
// refuses it either way, so nothing is lost by deleting it.
function due(db: Db, now: Date) {
  return db
    .selectFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), idle(eb, now)]));
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

// The earliest a live session ends: its absolute expiry, or its kind's idle limit after it was
// last seen.
async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const ends: number[] = [];
  for (const [kind, ms] of kinds) {
    const row = await db
      .selectFrom('sessions')
      .where('account_kind', '=', kind)
      .where('expires_at', '>', now.toISOString())
      .where('last_seen_at', '>', before(now, ms))
      .select((eb) => [eb.fn.min('expires_at').as('expires'), eb.fn.min('last_seen_at').as('seen')])
      .executeTakeFirst();
    if (!row?.expires || !row.seen) continue;
    ends.push(Math.min(new Date(row.expires).getTime(), new Date(row.seen).getTime() + ms));
  }
  return ends.length > 0 ? new Date(Math.min(...ends)) : null;
}

export const sessionPurger: Purger = {
  key: 'session',
  title: 'Sign-in sessions that have ended',
  rule: 'session',
  period: `${describeRule({ period, from })}, or ${SHORTEST_IDLE_MS / 60_000} minutes idle for staff (${LONGEST_IDLE_MS / 60_000} for other accounts)`,
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
