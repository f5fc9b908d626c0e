import type { Kysely } from 'kysely';
import type { Database, DisclosureAuthorityKind } from '../db/schema.js';
import type { Recipient } from './disclosure-store.js';
import {
  intakeCategories,
  named,
  refuse,
  who,
  type Disclosure,
  type DisclosureSubject,
} from './disclosure-rules.js';
import type { DisclosureBasis, Purpose } from './vocabulary.js';

// The basis an administrator picks is a claim; this file checks it against evidence the system
// holds, person by person, when the disclosure is made. A bulk disclosure to a third party goes
// ahead only if every person in it is covered by their own evidence.

/** Purposes that serve our business; intake data never reaches a third party for them. */
export const commercialPurposes = [
  'marketing',
  'advertising',
  'analytics',
  'usability_research',
] as const satisfies readonly Purpose[];
const isCommercial = (p: Purpose) => (commercialPurposes as readonly Purpose[]).includes(p);

/** The only bases on which a related company (parent, sister) may receive anything. */
export const relatedEntityBases = [
  'legal_obligation',
  'protection',
  'person_request',
] as const satisfies readonly DisclosureBasis[];

/**
 * The policy: related entities get nothing for business or commercial purposes, in any category.
 * Everything a service provider does for us is a business purpose, so a related company is never
 * one; as a third party it may receive only what the law, protection or the person demands.
 */
export function checkRelated(r: Recipient, d: Disclosure): void {
  if (!r.relatedEntity) return;
  if (
    r.kind === 'processor' ||
    isCommercial(d.purpose) ||
    !(relatedEntityBases as readonly DisclosureBasis[]).includes(d.basis)
  )
    throw refuse(
      'related_entity',
      `${who(r)} is a related company, and related companies receive nothing for business or commercial purposes (${named(d.categories)} on the basis ${d.basis} for ${d.purpose}). Only legal process, protection of rights or safety, or the person's own request can justify it.`,
    );
}

/** Rules for a third party that hold whatever evidence exists. */
export function checkThirdParty(r: Recipient, d: Disclosure): void {
  const intake = d.categories.filter((c) => intakeCategories.has(c));
  if (intake.length > 0 && isCommercial(d.purpose))
    throw refuse(
      'intake_to_third_party',
      `Intake-form data (${named(intake)}) is never shared with a third party for ${d.purpose} or any other business or commercial purpose, whatever the basis.`,
    );
  if (d.basis === 'requested_service')
    throw refuse(
      'third_party_basis',
      `A service the person asked for is provided through a registered service provider with a contract; ${who(r)} is a third party.`,
    );
}

type Db = Kysely<Database>;
const idsOf = (subjects: readonly DisclosureSubject[]) => subjects.map((s) => s.id);

/** People covered by records of this kind for this recipient, and the references of those records. */
async function coveredByAuthority(
  db: Db,
  kind: DisclosureAuthorityKind,
  recipientId: string,
  subjects: readonly DisclosureSubject[],
  evidenceId: string | undefined,
): Promise<{ covered: Set<string>; references: string[] }> {
  const covered = new Set<string>();
  const references = new Set<string>();
  const ids = idsOf(subjects);
  for (let i = 0; i < ids.length; i += 500) {
    let q = db
      .selectFrom('disclosure_authority_subjects as s')
      .innerJoin('disclosure_authorities as a', 'a.id', 's.authority_id')
      .select(['s.subject_id', 'a.reference'])
      .where('a.kind', '=', kind)
      .where('a.recipient_id', '=', recipientId)
      .where('s.subject_type', '=', 'lead')
      .where('s.subject_id', 'in', ids.slice(i, i + 500));
    if (evidenceId) q = q.where('a.id', '=', evidenceId);
    for (const row of await q.execute()) {
      covered.add(row.subject_id);
      references.add(row.reference);
    }
  }
  return { covered, references: [...references] };
}

async function buyerUndertaking(
  db: Db,
  recipientId: string,
  evidenceId: string | undefined,
): Promise<string | undefined> {
  let q = db
    .selectFrom('disclosure_authorities')
    .select('reference')
    .where('kind', '=', 'buyer_undertaking')
    .where('recipient_id', '=', recipientId);
  if (evidenceId) q = q.where('id', '=', evidenceId);
  return (await q.executeTakeFirst())?.reference;
}

/** The kind of record each basis rests on; the others have no record a third party can carry. */
export const evidenceKindOf: Partial<Record<DisclosureBasis, DisclosureAuthorityKind>> = {
  legal_obligation: 'legal_process',
  protection: 'protection',
  business_transfer: 'buyer_undertaking',
};

/** The basis a record of this kind supports. */
export const basisForEvidence = (kind: DisclosureAuthorityKind): DisclosureBasis =>
  (Object.keys(evidenceKindOf) as DisclosureBasis[]).find((b) => evidenceKindOf[b] === kind)!;

/** A record named by the caller must be of this basis and for this recipient. */
async function checkNamedEvidence(db: Db, r: Recipient, d: Disclosure): Promise<void> {
  if (!d.evidence) return;
  const row = await db
    .selectFrom('disclosure_authorities')
    .select(['kind', 'recipient_id'])
    .where('id', '=', d.evidence)
    .executeTakeFirst();
  if (!row || row.recipient_id !== r.id || row.kind !== evidenceKindOf[d.basis])
    throw refuse(
      'evidence_required',
      `The evidence record chosen is not ${missing[d.basis]}: choose one recorded for ${who(r)} on the basis ${d.basis}.`,
    );
}

/** What each basis needs, in words for a refusal that names no one covered. */
const missing: Record<DisclosureBasis, string> = {
  consent: 'consent naming this recipient and purpose',
  notice_and_consent: 'consent naming this recipient and purpose, given after notice',
  person_request: 'a verified request of the person naming this recipient',
  legal_obligation: 'a legal-process record for this recipient, entered by a privacy officer',
  protection: "a privacy officer's recorded protection justification for this recipient",
  business_transfer: 'a buyer undertaking for this recipient',
  requested_service: 'a registered service provider',
};

/**
 * Checks the evidence for a disclosure to a third party; returns the references of the records
 * that justify it (for the ledger), or refuses naming how many people lack evidence.
 */
export async function checkEvidence(
  db: Db,
  r: Recipient,
  d: Disclosure,
  subjects: readonly DisclosureSubject[],
): Promise<string[]> {
  await checkNamedEvidence(db, r, d);
  let covered = new Set<string>();
  let references: string[] = [];
  switch (d.basis) {
    // No consent form and no privacy request names a third-party recipient yet, so no person
    // carries this evidence: a disclosure on these bases is refused for every row.
    case 'consent':
    case 'notice_and_consent':
    case 'person_request':
    case 'requested_service':
      break;
    case 'legal_obligation':
      ({ covered, references } = await coveredByAuthority(
        db,
        'legal_process',
        r.id,
        subjects,
        d.evidence,
      ));
      break;
    case 'protection':
      if (subjects.length !== 1)
        throw refuse(
          'evidence_required',
          'A disclosure to protect rights or safety concerns one person at a time, each with its own recorded justification.',
        );
      ({ covered, references } = await coveredByAuthority(
        db,
        'protection',
        r.id,
        subjects,
        d.evidence,
      ));
      break;
    case 'business_transfer': {
      const ref = await buyerUndertaking(db, r.id, d.evidence);
      if (ref) return [ref];
      break;
    }
  }
  const lacking = subjects.filter((s) => !covered.has(s.id)).length;
  if (lacking === 0) return references;
  throw refuse(
    'evidence_required',
    lacking === subjects.length
      ? `No row has ${missing[d.basis]}, so ${who(r)} may receive nothing on the basis ${d.basis}.`
      : `${lacking} of ${subjects.length} people are not covered by ${missing[d.basis]}, so nothing was disclosed; disclose only the people it covers.`,
  );
}
