import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAuthority, addRecipient } from '../disclosures/testing.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import {
  DisclosureRefusedError,
  disclosuresAbout,
  recordDisclosure,
  type Disclosure,
  type RefusalReason,
} from './disclosures.js';
import { disclosureBases, type DisclosureBasis } from './vocabulary.js';

let t: TestApp;
const at = new Date('2026-12-01T10:00:00.000Z');
const lead = () => ({ type: 'lead' as const, id: randomUUID() });
const actor = { kind: 'staff' as const, id: 'staff-1' };

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const counts = async () => {
  const n = async (table: 'disclosures' | 'disclosure_subjects' | 'audit_log') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    disclosures: await n('disclosures'),
    subjects: await n('disclosure_subjects'),
    audit: await n('audit_log'),
  };
};

/** Asserts the disclosure is refused for this reason and that nothing at all was stored. */
async function expectRefused(d: Disclosure, reason: RefusalReason, text?: string) {
  const before = await counts();
  const err = await recordDisclosure(t.db, d, at).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, reason).toBeInstanceOf(DisclosureRefusedError);
  expect((err as DisclosureRefusedError).reason).toBe(reason);
  if (text) expect((err as Error).message).toContain(text);
  expect(await counts()).toEqual(before);
}

const emailRelay = (): Promise<string> =>
  addRecipient(t, { name: 'Mail Relay Inc', categories: ['contact.email', 'contact.name'] });
const base = (recipientId: string, over: Partial<Disclosure> = {}): Disclosure => ({
  recipientId,
  basis: 'requested_service',
  purpose: 'service_request',
  categories: ['contact.email'],
  subjects: [lead()],
  actor,
  channel: 'email_provider',
  ...over,
});

describe('recording a disclosure', () => {
  it('stores one ledger row, one row per person, and an audit entry', async () => {
    const relay = await emailRelay();
    const [a, b] = [lead(), lead()];
    const before = await counts();
    const id = await recordDisclosure(
      t.db,
      base(relay, { categories: ['contact.email', 'contact.name'], subjects: [a, b, a] }),
      at,
    );
    expect(await counts()).toEqual({
      disclosures: before.disclosures + 1,
      subjects: before.subjects + 2,
      audit: before.audit + 1,
    });
    const row = await t.db
      .selectFrom('disclosures')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      recipient_id: relay,
      basis: 'requested_service',
      purpose: 'service_request',
      categories: '["contact.email","contact.name"]',
      reference: null,
      channel: 'email_provider',
      actor_kind: 'staff',
      actor_id: 'staff-1',
      at: at.toISOString(),
    });
    expect(Number(row.subject_count)).toBe(2);
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: 'disclosure',
      target_type: 'disclosure',
      target_id: id,
      purpose: 'service_request',
    });
    expect(JSON.parse(audit.detail!)).toEqual({
      basis: 'requested_service',
      categories: 'contact.email,contact.name',
      channel: 'email_provider',
      // A service provider needs no evidence record.
      evidence: null,
      recipient: expect.stringMatching(/^r-/),
      subjects: 2,
    });
    const about = await disclosuresAbout(t.db, a);
    expect(about.map((d) => [d.id, d.recipient_name, d.categories])).toEqual([
      [id, 'Mail Relay Inc', ['contact.email', 'contact.name']],
    ]);
  });

  it('commits and rolls back with the transaction of the caller', async () => {
    const relay = await emailRelay();
    const before = await counts();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await recordDisclosure(trx, base(relay), at);
        throw new Error('export failed');
      }),
    ).rejects.toThrow('export failed');
    expect(await counts()).toEqual(before);
  });

  it('refuses what is not on the closed lists, or names nothing', async () => {
    const relay = await emailRelay();
    await expectRefused(
      base(relay, { basis: 'because' as DisclosureBasis }),
      'invalid_request',
      'Unknown basis',
    );
    await expectRefused(base(relay, { categories: [] }), 'invalid_request');
    await expectRefused(base(relay, { subjects: [] }), 'invalid_request');
    await expectRefused(
      base(relay, { categories: ['contact.fax' as 'contact.email'] }),
      'invalid_request',
    );
  });

  it('refuses an unknown or deactivated recipient', async () => {
    await expectRefused(base(randomUUID()), 'unknown_recipient');
    const old = await addRecipient(t, { categories: ['contact.email'], active: false });
    await expectRefused(base(old), 'inactive_recipient', 'deactivated');
  });
});

describe('purposes from the data map', () => {
  it('lets a phone number leave only for SMS, and only to a processor registered for it', async () => {
    const sms = await addRecipient(t, {
      key: 'sms-gateway',
      name: 'SMS Gateway',
      categories: ['contact.phone'],
    });
    const phone = { categories: ['contact.phone' as const], channel: 'sms_provider' as const };
    await expectRefused(
      base(sms, { ...phone, purpose: 'marketing' }),
      'purpose_not_allowed',
      'sms_communication',
    );
    await expectRefused(base(sms, { ...phone, purpose: 'service_request' }), 'purpose_not_allowed');
    expect(
      await recordDisclosure(
        t.db,
        base(sms, { ...phone, purpose: 'sms_communication', basis: 'consent' }),
        at,
      ),
    ).toBeTruthy();
  });

  it('refuses email for analytics, allows it for marketing', async () => {
    const relay = await emailRelay();
    await expectRefused(base(relay, { purpose: 'analytics' }), 'purpose_not_allowed');
    expect(
      await recordDisclosure(t.db, base(relay, { purpose: 'marketing', basis: 'consent' }), at),
    ).toBeTruthy();
  });
});

describe('service providers', () => {
  it('refuses a category the processor is not registered for', async () => {
    const relay = await addRecipient(t, { categories: ['contact.email'] });
    await expectRefused(
      base(relay, { categories: ['contact.email', 'request.needs'] }),
      'processor_not_registered',
      'request.needs',
    );
    expect(await recordDisclosure(t.db, base(relay), at)).toBeTruthy();
  });

  it('refuses one without a contract reference', async () => {
    const relay = await addRecipient(t, { categories: ['contact.email'], contractRef: null });
    await expectRefused(base(relay), 'contract_required', 'contract');
  });
});

describe('"We do not share any information gathered through our intake forms with third parties"', () => {
  const court = () =>
    addRecipient(t, {
      kind: 'third_party',
      name: 'County Court',
      categories: [],
      contractRef: null,
    });
  const intake = {
    categories: ['contact.name' as const, 'contact.email' as const],
    channel: 'legal_process' as const,
    purpose: 'service_request' as const,
  };
  const bases = Object.keys(disclosureBases) as DisclosureBasis[];

  it('intake data never goes to a third party for marketing, whatever the basis or evidence', async () => {
    const c = await court();
    const a = lead();
    await addAuthority(t, { kind: 'legal_process', recipientId: c, leads: [a.id] });
    await addAuthority(t, { kind: 'buyer_undertaking', recipientId: c });
    for (const basis of bases)
      await expectRefused(
        base(c, { ...intake, purpose: 'marketing', basis, subjects: [a], reference: 'X-1' }),
        'intake_to_third_party',
        'never shared',
      );
  });

  it('a basis typed with a reference is not evidence: refused on every basis without a record', async () => {
    const c = await court();
    for (const basis of bases)
      await expectRefused(
        base(c, { ...intake, basis, reference: '2026-CV-0142' }),
        basis === 'requested_service' ? 'third_party_basis' : 'evidence_required',
      );
  });

  it('"with your consent" and "with notice and consent": no row has consent naming this recipient', async () => {
    const c = await court();
    for (const basis of ['consent', 'notice_and_consent'] as const)
      await expectRefused(
        base(c, { ...intake, basis }),
        'evidence_required',
        'No row has consent naming this recipient',
      );
  });

  it('"as required by law or legal process": only the people the legal-process record names', async () => {
    const c = await court();
    const [a, b] = [lead(), lead()];
    await addAuthority(t, {
      kind: 'legal_process',
      recipientId: c,
      reference: 'SUBP-7',
      leads: [a.id],
    });
    const other = await court();
    await expectRefused(
      base(other, { ...intake, basis: 'legal_obligation', subjects: [a] }),
      'evidence_required',
    );
    await expectRefused(
      base(c, { ...intake, basis: 'legal_obligation', subjects: [a, b] }),
      'evidence_required',
      '1 of 2 people',
    );
    const id = await recordDisclosure(
      t.db,
      base(c, { ...intake, basis: 'legal_obligation', subjects: [a] }),
      at,
    );
    const row = await t.db
      .selectFrom('disclosures')
      .select('reference')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.reference).toBe('SUBP-7');
  });

  it('"to protect rights, safety": a recorded justification, one person at a time', async () => {
    const c = await court();
    const [a, b] = [lead(), lead()];
    await addAuthority(t, { kind: 'protection', recipientId: c, leads: [a.id, b.id] });
    await expectRefused(
      base(c, { ...intake, basis: 'protection', subjects: [a, b] }),
      'evidence_required',
      'one person at a time',
    );
    await expectRefused(
      base(c, { ...intake, basis: 'protection', subjects: [lead()] }),
      'evidence_required',
    );
    expect(
      await recordDisclosure(t.db, base(c, { ...intake, basis: 'protection', subjects: [a] }), at),
    ).toBeTruthy();
  });

  it('"to a buyer in a business transaction": only a recipient bound by a buyer undertaking', async () => {
    const c = await court();
    await expectRefused(
      base(c, { ...intake, basis: 'business_transfer' }),
      'evidence_required',
      'buyer undertaking',
    );
    await addAuthority(t, { kind: 'buyer_undertaking', recipientId: c, reference: 'NDA-2026-3' });
    expect(
      await recordDisclosure(t.db, base(c, { ...intake, basis: 'business_transfer' }), at),
    ).toBeTruthy();
  });

  it('"at your request": no verified request names a third party yet, so it is refused', async () => {
    const c = await court();
    await expectRefused(
      base(c, { ...intake, basis: 'person_request' }),
      'evidence_required',
      'verified request',
    );
  });
});

describe('"We do not share information with our related entities ... for any business or commercial purposes"', () => {
  it('a related company is never a service provider, in any category', async () => {
    const sister = await addRecipient(t, {
      categories: ['contact.email', 'account.login', 'online.activity'],
      relatedEntity: true,
    });
    await expectRefused(base(sister), 'related_entity', 'related compan');
    await expectRefused(
      base(sister, { categories: ['account.login'], purpose: 'security' }),
      'related_entity',
    );
    await expectRefused(
      base(sister, { categories: ['online.activity'], purpose: 'analytics', channel: 'other' }),
      'related_entity',
    );
  });

  it('a related third party gets nothing on a commercial basis, even with evidence', async () => {
    const parent = await addRecipient(t, {
      kind: 'third_party',
      relatedEntity: true,
      contractRef: null,
    });
    await addAuthority(t, { kind: 'buyer_undertaking', recipientId: parent });
    await expectRefused(
      base(parent, {
        categories: ['online.activity'],
        purpose: 'analytics',
        basis: 'business_transfer',
      }),
      'related_entity',
    );
    const a = lead();
    await addAuthority(t, { kind: 'legal_process', recipientId: parent, leads: [a.id] });
    expect(
      await recordDisclosure(
        t.db,
        base(parent, { categories: ['contact.email'], basis: 'legal_obligation', subjects: [a] }),
        at,
      ),
    ).toBeTruthy();
  });
});
