import type { Insertable, Kysely } from 'kysely';
import type { Database, StaffUsersTable } from '../db/schema.js';

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
