import type { Insertable, Kysely } from 'kysely';
import { isSqlite } from '../db/database.js';
import type { Database, StaffRole, StaffUsersTable } from '../db/schema.js';

// The SQL of staff management (src/accounts/users-service.ts): the list, one account, and the
// changes an administrator makes. Never the password hash out of here.

type Trx = Kysely<Database>;

const listed = [
  'id',
  'email',
  'name',
  'role',
  'created_at',
  'disabled_at',
  'last_login_at',
  'invited_at',
] as const;

export type StaffRecord = Pick<StaffUsersTable, (typeof listed)[number]>;

/** Every staff account except those the retention run has closed, enabled ones first. */
export async function listStaff(db: Trx): Promise<StaffRecord[]> {
  return db
    .selectFrom('staff_users')
    .select([...listed])
    .where('email', 'not like', '%@closed.invalid')
    .orderBy((eb) => eb.case().when('disabled_at', 'is', null).then(0).else(1).end())
    .orderBy('email')
    .execute();
}

export async function findStaff(db: Trx, id: string): Promise<StaffRecord | undefined> {
  return db
    .selectFrom('staff_users')
    .select([...listed])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findStaffByEmail(db: Trx, email: string): Promise<StaffRecord | undefined> {
  return db
    .selectFrom('staff_users')
    .select([...listed])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function insertInvited(db: Trx, row: Insertable<StaffUsersTable>): Promise<void> {
  await db.insertInto('staff_users').values(row).execute();
}

export async function updateStaff(
  db: Trx,
  id: string,
  set: Partial<Pick<StaffUsersTable, 'role' | 'name' | 'disabled_at' | 'invited_at'>>,
): Promise<void> {
  await db.updateTable('staff_users').set(set).where('id', '=', id).execute();
}

export async function setPassword(
  db: Trx,
  id: string,
  passwordHash: string,
  extra: Partial<Pick<StaffUsersTable, 'name' | 'invited_at'>> = {},
): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ password_hash: passwordHash, ...extra })
    .where('id', '=', id)
    .execute();
}

/** Signs this account out everywhere: its next request finds no session. */
export async function endSessions(db: Trx, userId: string): Promise<number> {
  const res = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * The ids of enabled administrators who have accepted their invitation. On PostgreSQL their rows
 * stay locked until the transaction ends, so two administrators demoting each other at the same
 * moment cannot both succeed; a SQLite write transaction is exclusive already.
 */
export async function activeAdminIds(trx: Trx): Promise<string[]> {
  const query = trx
    .selectFrom('staff_users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .where('invited_at', 'is', null)
    .orderBy('id');
  const rows = await (isSqlite(trx) ? query : query.forUpdate()).execute();
  return rows.map((r) => r.id);
}

export const isRole = (roles: readonly StaffRole[], v: string): v is StaffRole =>
  (roles as readonly string[]).includes(v);
