import type { Insertable, Kysely } from 'kysely';
import type { AccountKind, Database, SessionsTable } from '../db/schema.js';

type Trx = Kysely<Database>;

// Sessions of every kind of account; only this file touches the table's rows.

export async function insertSession(db: Trx, session: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

export async function findSession(db: Trx, idHash: string, kind: AccountKind) {
  return db
    .selectFrom('sessions')
    .select([
      'id_hash',
      'user_id',
      'stage',
      'created_at',
      'last_seen_at',
      'expires_at',
      'verified_at',
      'device',
    ])
    .where('id_hash', '=', idHash)
    .where('account_kind', '=', kind)
    .executeTakeFirst();
}

export async function touchSession(db: Trx, idHash: string, at: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: at })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function deleteSession(db: Trx, idHash: string): Promise<number> {
  const r = await db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The live sessions of one account, newest first. */
export async function sessionsOf(db: Trx, kind: AccountKind, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id_hash', 'created_at', 'last_seen_at', 'device', 'stage'])
    .where('account_kind', '=', kind)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id_hash')
    .execute();
}

export async function deleteSessionsOf(
  db: Trx,
  kind: AccountKind,
  userId: string,
  keep?: string,
): Promise<number> {
  let q = db.deleteFrom('sessions').where('account_kind', '=', kind).where('user_id', '=', userId);
  if (keep) q = q.where('id_hash', '!=', keep);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Sessions of a kind past their absolute expiry or idle since `idleBefore`. ISO strings sort as times. */
export async function deleteExpiredSessions(
  db: Trx,
  kind: AccountKind,
  now: string,
  idleBefore: string,
): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('account_kind', '=', kind)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
    .execute();
}

/** Counts one wrong second-factor code against a session; returns the new count. */
export async function addCodeFailure(db: Trx, idHash: string): Promise<number> {
  await db
    .updateTable('sessions')
    .set((eb) => ({ code_failures: eb('code_failures', '+', 1) }))
    .where('id_hash', '=', idHash)
    .execute();
  const row = await db
    .selectFrom('sessions')
    .select('code_failures')
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return row?.code_failures ?? Number.POSITIVE_INFINITY;
}
