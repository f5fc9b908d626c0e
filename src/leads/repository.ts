import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database, LeadStatus, UserType } from '../db/schema.js';

type Trx = Kysely<Database>;

export interface LeadFilter {
  status?: LeadStatus | undefined;
  type?: UserType | undefined;
  q?: string | undefined;
}

/** A case-insensitive substring pattern; the user's own % and _ match only themselves. */
export function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
}

// lower() + LIKE with an explicit escape behaves the same on SQLite and PostgreSQL (ILIKE is
// PostgreSQL only, and SQLite's LIKE has no portable escape default).
const contains = (column: 'name' | 'organization', pattern: string) =>
  sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;

export function filteredLeads(db: Trx, f: LeadFilter) {
  let q = db.selectFrom('leads');
  if (f.status) q = q.where('status', '=', f.status);
  if (f.type) q = q.where('user_type', '=', f.type);
  if (f.q) {
    const pattern = containsPattern(f.q);
    q = q.where((eb) => eb.or([contains('name', pattern), contains('organization', pattern)]));
  }
  return q;
}

export async function listLeads(db: Trx, f: LeadFilter, limit: number, offset: number) {
  return filteredLeads(db, f)
    .select(['id', 'created_at', 'name', 'organization', 'user_type', 'status', 'city', 'state'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countLeads(db: Trx, f: LeadFilter): Promise<number> {
  const row = await filteredLeads(db, f)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What a person told us about themselves and their practice, as leads and submissions store it. */
export const leadFields = [
  'user_type',
  'name',
  'organization',
  'practice_size',
  'address',
  'city',
  'state',
  'zip',
  'email',
  'phone',
  'needs',
] as const;

/** Every column a lead export may carry, in the order a file lists them. */
export const exportableLeadColumns = ['id', 'created_at', 'status', ...leadFields] as const;

export async function findLead(db: Trx, id: string) {
  return db
    .selectFrom('leads')
    .select(['id', 'created_at', 'updated_at', 'last_activity_at', 'status', ...leadFields])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findConsents(db: Trx, leadId: string) {
  return db
    .selectFrom('consents')
    .select(['id', 'purpose', 'channel', 'granted', 'at', 'form_id', 'form_version', 'text_shown'])
    .where('subject_type', '=', 'lead')
    .where('subject_id', '=', leadId)
    .orderBy('at', 'desc')
    .orderBy('id')
    .execute();
}

export async function findSubmissions(db: Trx, leadId: string) {
  return db
    .selectFrom('lead_submissions')
    .select([
      'id',
      'created_at',
      'form_id',
      'form_version',
      ...leadFields,
      'health_confirmed',
      'referrer',
      'utm_source',
      'utm_medium',
      'utm_campaign',
      'utm_term',
      'utm_content',
      'gclid',
      'msclkid',
    ])
    .where('lead_id', '=', leadId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

export async function findEvents(db: Trx, leadId: string) {
  return db
    .selectFrom('lead_events')
    .leftJoin('staff_users', 'staff_users.id', 'lead_events.staff_user_id')
    .select([
      'lead_events.id',
      'lead_events.at',
      'lead_events.kind',
      'lead_events.submission_id',
      'lead_events.from_status',
      'lead_events.to_status',
      'staff_users.email as staff_email',
    ])
    .where('lead_events.lead_id', '=', leadId)
    .orderBy('lead_events.at', 'desc')
    .orderBy('lead_events.id', 'desc')
    .execute();
}

/**
 * Other leads that gave the same organization name (case-folded, through its index): possibly
 * the same practice, for staff to compare. Never merged: each is its own person's record. Ids,
 * dates and stages only; the phone number is for text messages and is never compared.
 */
export async function sameOrganization(db: Trx, leadId: string, organization: string, limit = 5) {
  if (organization.trim() === '') return [];
  return db
    .selectFrom('leads')
    .select(['id', 'created_at', 'status'])
    .where(sql<string>`lower(${sql.ref('organization')})`, '=', sql<string>`lower(${organization})`)
    .where('id', '!=', leadId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function findLeadStatus(db: Trx, id: string) {
  return db.selectFrom('leads').select(['id', 'status']).where('id', '=', id).executeTakeFirst();
}

/** Moves the lead only if it is still in `from`, so two staff acting at once cannot both win. */
export async function moveStatus(
  db: Trx,
  move: { id: string; from: LeadStatus; to: LeadStatus; at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('leads')
    .set({ status: move.to, updated_at: move.at })
    .where('id', '=', move.id)
    .where('status', '=', move.from)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertStatusEvent(
  db: Trx,
  e: { lead_id: string; at: string; staff_user_id: string; from: LeadStatus; to: LeadStatus },
): Promise<void> {
  await db
    .insertInto('lead_events')
    .values({
      lead_id: e.lead_id,
      at: e.at,
      kind: 'status_changed',
      submission_id: null,
      staff_user_id: e.staff_user_id,
      from_status: e.from,
      to_status: e.to,
    })
    .execute();
}
