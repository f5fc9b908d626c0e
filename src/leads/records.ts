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
 * The lead this person already is: the one holding the same email address, after normalising.
 * Nothing else makes two submissions one person: the phone number is for text messages only,
 * and a shared number or organization is at most a suggestion for staff. Lookups go by blind
 * index (the value's index under every loaded key, for the time of a key rotation).
 */
export async function findLeadByEmail(db: Trx, emailIndexes: string[]) {
  return db
    .selectFrom('leads')
    .select('id')
    .where('email_index', 'in', emailIndexes)
    .executeTakeFirst();
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
