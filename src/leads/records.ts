import type { Kysely } from 'kysely';
import { insertRows } from '../db/insert-rows.js';
import type { ConsentsTable, Database, LeadSubmissionsTable, LeadsTable } from '../db/schema.js';

type Trx = Kysely<Database>;

// The lead records other capabilities read and write through: intake's submissions, the Privacy
// Center's lookups and corrections, retention's hold check. The inbox reads ./repository.ts.

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

/** Another lead already holding this email address (by blind index), apart from `leadIds`. */
export async function otherLeadWithEmail(db: Trx, emailIndexes: string[], leadIds: string[]) {
  return db
    .selectFrom('leads')
    .select('id')
    .where('email_index', 'in', emailIndexes)
    .where('id', 'not in', leadIds.length ? leadIds : [''])
    .executeTakeFirst();
}

/** A correction the privacy officer applied: the same sealed change to each of the person's leads. */
export async function correctLeads(
  db: Trx,
  leadIds: string[],
  change: Partial<LeadsTable>,
): Promise<void> {
  if (leadIds.length)
    await db.updateTable('leads').set(change).where('id', 'in', leadIds).execute();
}

export async function leadIdsByPhone(db: Trx, indexes: string[]): Promise<string[]> {
  if (indexes.length === 0) return [];
  const rows = await db
    .selectFrom('leads')
    .select('id')
    .where('phone_index', 'in', indexes)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Whether anything of this lead is stored: the lead itself, or consent records kept as proof
 * after it was deleted (a hold may be needed for those too).
 */
export async function leadRecordsExist(db: Trx, leadId: string): Promise<boolean> {
  const [lead, consent] = await Promise.all([
    db.selectFrom('leads').select('id').where('id', '=', leadId).executeTakeFirst(),
    db
      .selectFrom('consents')
      .select('id')
      .where('subject_type', '=', 'lead')
      .where('subject_id', '=', leadId)
      .limit(1)
      .executeTakeFirst(),
  ]);
  return lead !== undefined || consent !== undefined;
}

/** When this lead last wrote to us before now, to send at most one confirmation a day. */
export async function lastSubmissionAt(db: Trx, leadId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('lead_submissions')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('lead_id', '=', leadId)
    .executeTakeFirst();
  return row?.at ?? undefined;
}

/** The address one submission was sent from (sealed), and its lead. */
export async function submissionAddress(db: Trx, submissionId: string) {
  return db
    .selectFrom('lead_submissions')
    .select(['lead_id', 'email'])
    .where('id', '=', submissionId)
    .executeTakeFirst();
}
