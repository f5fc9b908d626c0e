import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Trx = Kysely<Database>;

/** Who a session belongs to; the hash stays behind. */
export async function findStaffById(db: Trx, id: string) {
  return db
    .selectFrom('staff_users')
    .select(['id', 'email', 'role', 'disabled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function passwordHashOf(db: Trx, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .select('password_hash')
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row?.password_hash || undefined;
}
