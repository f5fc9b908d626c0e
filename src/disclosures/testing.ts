import { randomUUID } from 'node:crypto';
import { insertDisclosure } from '../privacy/disclosure-store.js';
import type { Category } from '../privacy/vocabulary.js';
import type { TestApp } from '../test-support/app.js';

// Fixtures shared by the disclosure and registry tests; signed-in staff come from test-support.

export interface RecipientFixture {
  kind?: 'processor' | 'third_party';
  key?: string;
  name?: string;
  categories?: Category[];
  purpose?: string;
  contractRef?: string | null;
  relatedEntity?: boolean;
  active?: boolean;
}

/** A registry entry written straight to the table, so a kernel test can set up what a form refuses. */
export async function addRecipient(t: TestApp, r: RecipientFixture = {}): Promise<string> {
  const id = randomUUID();
  const at = new Date('2026-11-01T00:00:00.000Z').toISOString();
  await t.db
    .insertInto('recipients')
    .values({
      id,
      kind: r.kind ?? 'processor',
      key: r.key ?? `r-${id.slice(0, 8)}`,
      name: r.name ?? 'Relay Co',
      categories: JSON.stringify(r.categories ?? []),
      purpose: r.purpose ?? 'delivers email',
      contract_ref: r.contractRef === undefined ? 'DPA-1' : r.contractRef,
      related_entity: r.relatedEntity ? 1 : 0,
      active: r.active === false ? 0 : 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

/**
 * The CRM the lead-export tests send to: a service provider registered for everything the intake
 * form collects except the phone number, so an export that carried the phone would be refused.
 */
export const addCrm = (t: TestApp): Promise<string> =>
  addRecipient(t, {
    name: 'Pipeline CRM',
    categories: [
      'contact.name',
      'contact.email',
      'contact.address',
      'org.name',
      'org.size',
      'location.city_state',
      'profile.user_type',
      'request.needs',
    ],
  });

/** An evidence record as a privacy officer would enter it, covering these leads. */
export async function addAuthority(
  t: TestApp,
  a: {
    kind: 'legal_process' | 'protection' | 'buyer_undertaking';
    recipientId: string;
    reference?: string;
    leads?: string[];
  },
): Promise<string> {
  const id = randomUUID();
  await t.db
    .insertInto('disclosure_authorities')
    .values({
      id,
      kind: a.kind,
      recipient_id: a.recipientId,
      issuer: 'County Court',
      reference: a.reference ?? `REF-${id.slice(0, 6)}`,
      issued_on: '2026-11-20',
      justification: a.kind === 'protection' ? 'imminent threat reported' : null,
      entered_by: 'officer-1',
      entered_at: new Date('2026-11-20T00:00:00.000Z').toISOString(),
    })
    .execute();
  for (const lead of a.leads ?? [])
    await t.db
      .insertInto('disclosure_authority_subjects')
      .values({ authority_id: id, subject_type: 'lead', subject_id: lead })
      .execute();
  return id;
}

/**
 * A disclosure of one lead to a court, under legal process, written to the ledger through the
 * kernel's store with the court registered as its recipient.
 */
export async function addCourtDisclosure(
  t: TestApp,
  d: {
    leadId: string;
    at: string;
    court: string;
    reference: string;
    categories: Category[];
    actorId: string;
  },
): Promise<string> {
  const id = randomUUID();
  const recipient = await addRecipient(t, {
    kind: 'third_party',
    name: d.court,
    purpose: 'answers legal process',
    contractRef: null,
  });
  await insertDisclosure(
    t.db,
    {
      id,
      at: d.at,
      recipient_id: recipient,
      basis: 'legal_obligation',
      purpose: 'legal',
      categories: JSON.stringify(d.categories),
      reference: d.reference,
      channel: 'legal_process',
      actor_kind: 'staff',
      actor_id: d.actorId,
      subject_count: 1,
    },
    [{ type: 'lead', id: d.leadId }],
  );
  return id;
}
