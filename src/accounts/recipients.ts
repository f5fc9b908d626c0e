import type { Db } from '../db/database.js';
import type { StaffRole } from '../db/schema.js';
import { assertReadable } from '../privacy/access.js';
import type { Purpose } from '../privacy/vocabulary.js';

/** The addresses of enabled staff holding one of these roles: who a staff notice goes to. */
export async function staffEmails(
  db: Db,
  roles: readonly StaffRole[],
  purpose: Purpose,
): Promise<string[]> {
  assertReadable('staff_users', 'email', purpose);
  const rows = await db
    .selectFrom('staff_users')
    .select('email')
    .where('role', 'in', roles)
    .where('disabled_at', 'is', null)
    .execute();
  return rows.map((r) => r.email);
}

/**
 * Privacy officers own privacy deadlines (requests and incidents); administrators hear of them
 * only when there is no officer, so a reminder is never dropped for want of someone to send it to.
 */
export async function privacyOfficers(db: Db): Promise<string[]> {
  const officers = await staffEmails(db, ['privacy'], 'security');
  return officers.length > 0 ? officers : staffEmails(db, ['admin'], 'security');
}
