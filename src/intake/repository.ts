import type { Kysely } from 'kysely';
import { insertRows } from '../db/insert-rows.js';
import type { ConsentsTable, Database, LeadSubmissionsTable, LeadsTable } from '../db/schema.js';

type Trx = Kysely<Database>;

export async function findSubmissionByKey(db: Trx, key: string) {
  return db
    .selectFrom('lead_submissions')
    .select(['id', 'lead_id'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/**
 * The lead this person already is, by email first, then by phone. Lookups go by blind index
 * (each list holds the value's index under every loaded key, for the time of a key rotation).
 */
export async function findLeadFor(db: Trx, emailIndexes: string[], phoneIndexes: string[]) {
  const rows = await db
    .selectFrom('leads')
    .select(['id', 'email_index'])
    .where((eb) =>
      eb.or([eb('email_index', 'in', emailIndexes), eb('phone_index', 'in', phoneIndexes)]),
    )
    .execute();
  return (
    rows.find((r) => r.email_index !== null && emailIndexes.includes(r.email_index)) ?? rows[0]
  );
}

export async function insertLead(db: Trx, lead: LeadsTable): Promise<void> {
  await insertRows(db, 'leads', [lead]);
}

export async function updateLead(
  db: Trx,
  id: string,
  changes: Partial<Omit<LeadsTable, 'id' | 'created_at' | 'status'>>,
): Promise<void> {
  await db.updateTable('leads').set(changes).where('id', '=', id).execute();
}

export async function identifierTaken(
  db: Trx,
  column: 'email_index' | 'phone_index',
  indexes: string[],
  exceptLeadId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('leads')
    .select('id')
    .where(column, 'in', indexes)
    .where('id', '!=', exceptLeadId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertSubmission(db: Trx, s: LeadSubmissionsTable): Promise<void> {
  await insertRows(db, 'lead_submissions', [s]);
}

export async function insertEvent(
  db: Trx,
  e: { lead_id: string; at: string; kind: 'submitted' | 'resubmitted'; submission_id: string },
): Promise<void> {
  await insertRows(db, 'lead_events', [
    { ...e, staff_user_id: null, from_status: null, to_status: null },
  ]);
}

export async function insertConsents(db: Trx, rows: ConsentsTable[]): Promise<void> {
  await insertRows(db, 'consents', rows);
}
