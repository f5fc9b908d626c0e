import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { consentStands } from './consent.js';
import { refuse, type DisclosureSubject } from './disclosure-rules.js';
import type { Purpose } from './vocabulary.js';

// Patients are not prospects: someone who wrote about their own bill is not a billing-services
// customer to market to or invite to studies, unless they asked for that themselves.

/** The purposes that treat a person as a prospective customer. */
const prospectPurposes: ReadonlySet<Purpose> = new Set(['marketing', 'usability_research']);

/**
 * The leads among these that may be used for the purpose: everyone for other purposes; for
 * marketing or usability research, a patient only with their own standing consent to it.
 */
export async function usableForPurpose(
  db: Kysely<Database>,
  leadIds: readonly string[],
  purpose: Purpose,
): Promise<Set<string>> {
  const ids = [...new Set(leadIds)];
  if (!prospectPurposes.has(purpose)) return new Set(ids);
  const usable = new Set(ids);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const patients = await db
      .selectFrom('leads')
      .select('id')
      .where('id', 'in', chunk)
      .where('user_type', '=', 'patient')
      .execute();
    if (patients.length === 0) continue;
    const consented = await standingConsent(
      db,
      patients.map((p) => p.id),
      purpose,
    );
    for (const p of patients) if (!consented.has(p.id)) usable.delete(p.id);
  }
  return usable;
}

async function standingConsent(db: Kysely<Database>, ids: string[], purpose: Purpose) {
  const rows = await db
    .selectFrom('consents')
    .select(['subject_id', 'granted', 'policy_version'])
    .where('subject_type', '=', 'lead')
    .where('purpose', '=', purpose as 'marketing')
    .where('subject_id', 'in', ids)
    .orderBy('at')
    .orderBy('id')
    .execute();
  const latest = new Map(rows.map((r) => [r.subject_id, r]));
  return new Set([...latest].filter(([, c]) => consentStands(c)).map(([id]) => id));
}

/** Refuses a use of people's data for marketing or usability research that includes a patient who did not agree to it. */
export async function assertNotUnconsentedPatients(
  db: Kysely<Database>,
  subjects: readonly DisclosureSubject[],
  purpose: Purpose,
): Promise<void> {
  const ids = subjects.filter((s) => s.type === 'lead').map((s) => s.id);
  const usable = await usableForPurpose(db, ids, purpose);
  const refused = ids.filter((id) => !usable.has(id)).length;
  if (refused > 0)
    throw refuse(
      'patient_not_prospect',
      `${refused} of these people wrote to us as patients and did not agree to ${purpose.replace('_', ' ')} themselves; a patient is not a prospect. Leave them out.`,
    );
}
