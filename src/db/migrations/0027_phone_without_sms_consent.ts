import type { Kysely } from 'kysely';
import { appendAudit } from '../../audit/log.js';
import { holdsText } from '../../privacy/cipher.js';
import type { Database } from '../schema.js';

// The policy: phone numbers are used solely for SMS. Intake now refuses a number without consent
// to texts, but rows written before that may hold one with no lawful use. This clears them once:
// the number (sealed or, from before encryption, plain) is replaced by an empty value, so its
// ciphertext is gone, and the lead's blind index with it. Idempotent: a second run finds nothing.

type Db = Kysely<Database>;
const BATCH = 500;

/** Leads with a grant of SMS consent on record: only their numbers have a use. */
const smsConsented = (db: Db) =>
  db
    .selectFrom('consents')
    .select('subject_id')
    .where('subject_type', '=', 'lead')
    .where('purpose', '=', 'sms_communication')
    .where('granted', '=', 1);

/** Ids of rows that hold a number (an empty sealed value is no number) and no SMS consent. */
async function holdingNumbers(db: Db, table: 'leads' | 'lead_submissions'): Promise<string[]> {
  const ids: string[] = [];
  let after = '';
  for (;;) {
    // Both tables have id and phone; the person is the lead itself, or the submission's lead.
    const person = (table === 'leads' ? 'id' : 'lead_id') as 'id';
    const rows = await db
      .selectFrom(table as 'leads')
      .select(['id', 'phone'])
      .where(person, 'not in', smsConsented(db))
      .where('id', '>', after)
      .where('phone', '<>', '')
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const r of rows) if (holdsText(r.phone)) ids.push(r.id);
    if (rows.length < BATCH) return ids;
    after = rows[rows.length - 1]!.id;
  }
}

export async function up(unknownDb: Kysely<unknown>): Promise<void> {
  const db = unknownDb as unknown as Db;
  const leads = await holdingNumbers(db, 'leads');
  const submissions = await holdingNumbers(db, 'lead_submissions');
  if (leads.length + submissions.length === 0) return;
  const clear = async (trx: Db) => {
    for (let i = 0; i < leads.length; i += BATCH)
      await trx
        .updateTable('leads')
        .set({ phone: '', phone_index: null })
        .where('id', 'in', leads.slice(i, i + BATCH))
        .execute();
    for (let i = 0; i < submissions.length; i += BATCH)
      await trx
        .updateTable('lead_submissions')
        .set({ phone: '' })
        .where('id', 'in', submissions.slice(i, i + BATCH))
        .execute();
    // Counts only: the log never holds a number or names whose it was.
    await appendAudit(
      trx,
      {
        actor: { kind: 'system', name: 'migration 0027' },
        action: 'deletion',
        target: { type: 'phone_numbers', id: 'no_sms_consent' },
        purpose: 'legal',
        detail: {
          reason: 'phone number held without consent to text messages',
          leads: leads.length,
          submissions: submissions.length,
        },
      },
      new Date(),
    );
  };
  if (db.isTransaction) await clear(db);
  else await db.transaction().execute(clear);
}

/** A cleared number cannot come back. */
export async function down(): Promise<void> {}
