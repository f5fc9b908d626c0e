import type { Kysely } from 'kysely';
import { appendAudit } from '../../audit/log.js';
import type { Database } from '../schema.js';

// The intake form now asks each type of user only what their request needs (decision 029):
// patients are not asked for an address, city, state, ZIP code or practice size, partners not
// for a street address or ZIP code. Rows written before may hold those answers, which now have
// no use and which the data map no longer lists for them; this clears them once. The street
// address is sealed: an empty value replaces its ciphertext. Idempotent: a second run finds
// nothing to clear and records nothing.

type Db = Kysely<Database>;
type Column = 'address' | 'city' | 'state' | 'zip' | 'practice_size';

const notAsked: Record<'patient' | 'partner', Column[]> = {
  patient: ['address', 'city', 'state', 'zip', 'practice_size'],
  partner: ['address', 'zip'],
};

async function clear(trx: Db, table: 'leads' | 'lead_submissions', type: 'patient' | 'partner') {
  const columns = notAsked[type];
  const res = await trx
    .updateTable(table as 'leads')
    .set(Object.fromEntries(columns.map((c) => [c, ''])))
    .where('user_type', '=', type)
    .where((eb) => eb.or(columns.map((c) => eb(c, '<>', ''))))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function up(unknownDb: Kysely<unknown>): Promise<void> {
  const db = unknownDb as unknown as Db;
  const run = async (trx: Db) => {
    const counts = {
      patient_leads: await clear(trx, 'leads', 'patient'),
      patient_submissions: await clear(trx, 'lead_submissions', 'patient'),
      partner_leads: await clear(trx, 'leads', 'partner'),
      partner_submissions: await clear(trx, 'lead_submissions', 'partner'),
    };
    if (Object.values(counts).every((n) => n === 0)) return;
    // Counts only: the log names no one and holds none of the answers.
    await appendAudit(
      trx,
      {
        actor: { kind: 'system', name: 'migration 0032' },
        action: 'deletion',
        target: { type: 'intake_answers', id: 'no_longer_asked' },
        purpose: 'legal',
        detail: {
          reason: 'answers the intake form no longer asks of that type of user',
          ...counts,
        },
      },
      new Date(),
    );
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}

/** Cleared answers cannot come back. */
export async function down(): Promise<void> {}
