import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { ConsentsTable, LeadStatus, LeadSubmissionsTable, LeadsTable } from '../db/schema.js';
import type { Kernel } from '../privacy/kernel.js';

// Rows for retention tests, stored the way the app stores them (contact fields sealed), with
// the clocks the purgers read set explicitly.

const DAY = 86_400_000;
export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY);
export const monthsBefore = (now: Date, months: number) => {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
};

let seq = 0;
export type PlainLead = Omit<LeadsTable, 'email_index' | 'phone_index'>;

/** A lead as intake stores it: contact fields sealed, their blind indexes beside them. */
export const sealedLead = (kernel: Kernel, lead: PlainLead): LeadsTable => ({
  ...kernel.seal('leads', lead),
  email_index: kernel.index('email', lead.email),
  phone_index: kernel.index('phone', lead.phone),
});

/** Plain lead rows (not yet stored), so many can be inserted in one statement. */
export function leadRow(kernel: Kernel, lastActivity: Date, status: LeadStatus = 'new') {
  seq++;
  const at = lastActivity.toISOString();
  const email = `retention${seq}.${randomBytes(3).toString('hex')}@example.test`;
  // Unique per row: phone numbers have a unique blind index.
  const phone = `+1972${String(seq).padStart(7, '0')}`;
  const lead: PlainLead = {
    id: randomUUID(),
    created_at: at,
    updated_at: at,
    last_activity_at: at,
    status,
    user_type: 'provider',
    name: `Retention Person ${seq}`,
    organization: `Clinic ${seq}`,
    practice_size: '2-5',
    address: `${seq} Elm Street`,
    city: 'Plano',
    state: 'TX',
    zip: '75024',
    email,
    phone,
    needs: 'Billing help.',
  };
  return sealedLead(kernel, lead);
}

/**
 * A provider's lead row as intake stored it, plain (seal it where the table is encrypted, or
 * keep it plain for rows from before encryption); the answers a test cares about are given.
 */
export function leadValues(
  id: string,
  at: string,
  answers: Partial<LeadsTable> &
    Pick<LeadsTable, 'name' | 'organization' | 'address' | 'city' | 'zip' | 'email'>,
): LeadsTable {
  return {
    id,
    created_at: at,
    updated_at: at,
    last_activity_at: at,
    status: 'new',
    user_type: 'provider',
    practice_size: '2-5',
    state: 'TX',
    email_index: null,
    phone: '',
    phone_index: null,
    needs: '',
    ...answers,
  };
}

/**
 * A provider's intake submission for `leadId` without campaign attribution, plain (seal it
 * where the table is encrypted); the answers a test cares about are given.
 */
export function submissionRow(
  leadId: string,
  at: string,
  answers: Partial<LeadSubmissionsTable> &
    Pick<LeadSubmissionsTable, 'name' | 'organization' | 'address' | 'city' | 'zip' | 'email'>,
): LeadSubmissionsTable {
  return {
    id: randomUUID(),
    lead_id: leadId,
    created_at: at,
    idempotency_key: randomUUID(),
    form_id: 'intake',
    form_version: '1',
    user_type: 'provider',
    practice_size: '2-5',
    state: 'TX',
    phone: '',
    needs: '',
    health_confirmed: 0,
    referrer: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    gclid: null,
    msclkid: null,
    ...answers,
  };
}

/** A lead with one submission, one event and one outbox job naming it. */
export async function insertLead(
  db: Db,
  kernel: Kernel,
  lastActivity: Date,
  status: LeadStatus = 'new',
): Promise<string> {
  const lead = leadRow(kernel, lastActivity, status);
  const at = lead.last_activity_at;
  const submissionId = randomUUID();
  await db.insertInto('leads').values(lead).execute();
  await db
    .insertInto('lead_submissions')
    .values({
      ...kernel.seal(
        'lead_submissions',
        submissionRow(lead.id, at, {
          id: submissionId,
          name: 'Someone',
          organization: 'Clinic',
          address: '1 Elm Street',
          city: 'Plano',
          zip: '75024',
          email: 'someone@example.test',
          phone: '+19725550100',
          needs: 'Billing help.',
        }),
      ),
    })
    .execute();
  await db
    .insertInto('lead_events')
    .values({
      lead_id: lead.id,
      at,
      kind: 'submitted',
      submission_id: submissionId,
      staff_user_id: null,
      from_status: null,
      to_status: null,
    })
    .execute();
  await db
    .insertInto('outbox')
    .values({
      id: randomUUID(),
      created_at: at,
      kind: 'lead_notification',
      payload: JSON.stringify({ leadId: lead.id, event: 'submitted', userType: 'provider' }),
      attempts: 0,
      next_attempt_at: at,
      sent_at: at,
      last_error: null,
    })
    .execute();
  return lead.id;
}

/** One consent record: a grant (granted=1) or a withdrawal (granted=0) at `at`, given on a submission or not. */
export async function insertConsent(
  db: Db,
  leadId: string,
  granted: 0 | 1,
  at: Date,
  purpose: ConsentsTable['purpose'] = 'marketing',
  submissionId: string | null = null,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('consents')
    .values({
      id,
      subject_type: 'lead',
      subject_id: leadId,
      purpose,
      channel: purpose === 'marketing' ? 'email' : 'sms',
      granted,
      at: at.toISOString(),
      form_id: 'intake',
      form_version: '1',
      text_shown: 'I agree to hear about services by email.',
      submission_id: submissionId,
    })
    .execute();
  return id;
}

export async function exists(
  db: Db,
  table: 'leads' | 'consents' | 'outbox',
  id: string,
): Promise<boolean> {
  const row = await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Row counts of every table a run may touch: a dry run must leave them all as they were. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = [
    'leads',
    'lead_submissions',
    'lead_events',
    'consents',
    'sessions',
    'setup_tokens',
    'outbox',
  ] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const row = await db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}
