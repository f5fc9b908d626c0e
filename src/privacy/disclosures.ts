import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit, type AuditActor } from '../audit/log.js';
import type { Database } from '../db/schema.js';
import * as store from './disclosure-store.js';
import type { Recipient } from './disclosure-store.js';
import { checkEvidence, checkRelated, checkThirdParty } from './disclosure-evidence.js';
import {
  checkProcessorDisclosure,
  checkPhone,
  checkProcessorFor,
  checkPurpose,
  checkShape,
  loadActive,
  smsProviderKey,
  type Disclosure,
  type DisclosureSubject,
} from './disclosure-rules.js';
import { assertNotUnconsentedPatients } from './patients.js';
import type { PolicyProcessor } from './policy.js';
import { categories as categoryLabels, type Category } from './vocabulary.js';

export type { Recipient } from './disclosure-store.js';
export {
  basisForEvidence,
  commercialPurposes,
  evidenceKindOf,
  relatedEntityBases,
} from './disclosure-evidence.js';
export {
  DisclosureRefusedError,
  disclosureChannels,
  intakeCategories,
  purposesAllowedFor,
  type Disclosure,
  type DisclosureSubject,
  type RefusalReason,
} from './disclosure-rules.js';

// The disclosure ledger: nothing personal leaves the system without a basis from the policy's
// closed list, a registered recipient, and a row here. Every rule (disclosure-rules.ts) is
// checked before anything is written, so a refused disclosure stores nothing.

/** The keys the adapters look themselves up by; an admin registers them in the console. */
export const processorKeys = { email: 'smtp-relay', sms: smsProviderKey } as const;

function actorColumns(actor: AuditActor): {
  actor_kind: AuditActor['kind'];
  actor_id: string | null;
} {
  switch (actor.kind) {
    case 'staff':
      return { actor_kind: 'staff', actor_id: actor.id };
    case 'system':
      return { actor_kind: 'system', actor_id: actor.name };
    case 'person':
      return { actor_kind: 'person', actor_id: actor.ref };
    case 'anonymous':
      return { actor_kind: 'anonymous', actor_id: null };
  }
}

/** The ledger rows and the audit entry, in one transaction. */
async function writeDisclosure(
  trx: Kysely<Database>,
  d: Omit<Disclosure, 'reference'> & { id: string; reference: string | null; recipient: Recipient },
  at: Date,
): Promise<void> {
  const { id, reference, subjects, recipient } = d;
  await store.insertDisclosure(
    trx,
    {
      id,
      at: at.toISOString(),
      recipient_id: recipient.id,
      basis: d.basis,
      purpose: d.purpose,
      categories: JSON.stringify(d.categories),
      reference,
      channel: d.channel,
      ...actorColumns(d.actor),
      subject_count: subjects.length,
    },
    subjects,
  );
  // The reference stays in the ledger only: it may name parties to a case.
  await appendAudit(
    trx,
    {
      actor: d.actor,
      action: 'disclosure',
      target: { type: 'disclosure', id },
      purpose: d.purpose,
      detail: {
        recipient: recipient.key,
        basis: d.basis,
        channel: d.channel,
        categories: d.categories.join(','),
        subjects: subjects.length,
        // Which evidence record justified it, so the ledger entry leads back to it.
        evidence: d.evidence ?? null,
      },
    },
    at,
  );
}

/** Who may receive it, and on what evidence; returns the references of the evidence records. */
async function checkRecipient(
  db: Kysely<Database>,
  recipient: Recipient,
  d: Disclosure,
  subjects: DisclosureSubject[],
): Promise<string[]> {
  checkPhone(recipient, d.categories, d.purpose);
  checkRelated(recipient, d);
  if (recipient.kind === 'processor') {
    checkProcessorDisclosure(recipient, d);
    return [];
  }
  checkThirdParty(recipient, d);
  return checkEvidence(db, recipient, d, subjects);
}

/**
 * Records a disclosure, or refuses it (DisclosureRefusedError) and stores nothing. Pass the
 * transaction of the export or hand-off when there is one, so the record commits with it.
 */
export async function recordDisclosure(
  db: Kysely<Database>,
  d: Disclosure,
  at: Date,
): Promise<string> {
  const { reference, subjects } = checkShape(d);
  checkPurpose(d);
  const recipient = loadActive(
    await store.recipientById(db, d.recipientId),
    `with id ${d.recipientId}`,
  );
  const evidence = await checkRecipient(db, recipient, d, subjects);
  await assertNotUnconsentedPatients(db, subjects, d.purpose);
  const id = randomUUID();
  const refs = [reference, ...evidence].filter((x): x is string => !!x);
  const ledgerRef = refs.length ? [...new Set(refs)].join('; ').slice(0, 200) : null;
  const write = (trx: Kysely<Database>) =>
    writeDisclosure(trx, { ...d, id, reference: ledgerRef, subjects, recipient }, at);
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
  return id;
}

/**
 * For adapters (email relay, SMS gateway): the active processor registered under this key for
 * every category it would receive, or a refusal naming what is missing.
 */
export async function assertProcessorFor(
  db: Kysely<Database>,
  recipientKey: string,
  categories: Category[],
): Promise<Recipient> {
  const recipient = loadActive(
    await store.recipientByKey(db, recipientKey),
    `under the key ${recipientKey}`,
  );
  checkProcessorFor(recipient, categories);
  return recipient;
}

/** The registry as the policy page lists it: active service providers, what they receive, why. */
/** Plain labels of categories, in the data map's order, as the policy page prints them. */
export function labelsInOrder(categories: readonly Category[]): string[] {
  const order = Object.keys(categoryLabels);
  return [...categories]
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((c) => categoryLabels[c]);
}

export async function registeredProcessors(db: Kysely<Database>): Promise<PolicyProcessor[]> {
  return (await store.activeProcessors(db)).map((r) => ({
    name: r.name,
    receives: labelsInOrder(r.categories),
    purpose: r.purpose,
  }));
}

/** Every disclosure about one person, for their access report. */
export async function disclosuresAbout(db: Kysely<Database>, subject: DisclosureSubject) {
  const rows = await store.disclosuresAboutSubject(db, subject);
  return rows.map((r) => ({ ...r, categories: JSON.parse(r.categories) as Category[] }));
}
