import type { Insertable, Kysely } from 'kysely';
import type { Database, SessionsTable, StaffUsersTable } from '../db/schema.js';

type Trx = Kysely<Database>;

/** What sign-in needs to decide; the hash never leaves the accounts service. */
export async function findUserForLogin(db: Trx, email: string) {
  return db
    .selectFrom('staff_users')
    .select(['id', 'email', 'role', 'password_hash', 'disabled_at'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function emailTaken(db: Trx, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('staff_users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirst();
  return row !== undefined;
}

export async function anyStaff(db: Trx): Promise<boolean> {
  const row = await db.selectFrom('staff_users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function insertUser(db: Trx, user: Insertable<StaffUsersTable>): Promise<void> {
  await db.insertInto('staff_users').values(user).execute();
}

export async function recordLogin(db: Trx, id: string, at: string): Promise<void> {
  await db.updateTable('staff_users').set({ last_login_at: at }).where('id', '=', id).execute();
}

export async function insertSession(db: Trx, session: SessionsTable): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

/** A session with the user it belongs to, in one read. */
export async function findSession(db: Trx, idHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('staff_users', 'staff_users.id', 'sessions.user_id')
    .select([
      'sessions.last_seen_at',
      'sessions.expires_at',
      'staff_users.id as user_id',
      'staff_users.email',
      'staff_users.role',
      'staff_users.disabled_at',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: Trx, idHash: string, at: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: at })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function deleteSession(db: Trx, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Sessions past their absolute expiry or idle since `idleBefore`. ISO strings sort as times. */
export async function deleteExpiredSessions(
  db: Trx,
  now: string,
  idleBefore: string,
): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
    .execute();
}

export async function insertSetupToken(
  db: Trx,
  token: { token_hash: string; created_at: string; expires_at: string },
): Promise<void> {
  await db
    .insertInto('setup_tokens')
    .values({ ...token, used_at: null })
    .execute();
}

/** A token that is unused and not yet expired, or undefined. */
export async function findUsableSetupToken(db: Trx, tokenHash: string, now: string) {
  return db
    .selectFrom('setup_tokens')
    .select(['token_hash', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', 'setup')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Claims the token: only one caller can turn used_at from null to a time, so two submits of the
 * same link cannot both create an admin.
 */
export async function claimSetupToken(db: Trx, tokenHash: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('setup_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', 'setup')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function deleteStaleSetupTokens(db: Trx, now: string): Promise<void> {
  await db
    .deleteFrom('setup_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
    .execute();
}
