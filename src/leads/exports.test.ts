import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAuthority, addCrm, addRecipient } from '../disclosures/testing.js';
import { suppress } from '../privacy/suppression.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { postIntake } from '../test-support/intake.js';
import { getAs, postForm, staffSessions } from '../test-support/staff.js';

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;
let crm: string;
let buyer: string;

async function submit(email: string, name: string, consentMarketing: boolean) {
  const res = await postIntake(t, email, {
    name,
    organization: `${name} Clinic`,
    address: '9 Elm Street',
    city: 'Dallas',
    zip: '75201',
    phone: `(214) 555-0${String(100 + email.length).slice(-3)}`,
    needs: '=HYPERLINK("http://evil.example")',
    ...(consentMarketing ? { consentMarketing: 'on' } : {}),
  });
  expect(res.statusCode).toBe(201);
}

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin', 'sales']);
  crm = await addCrm(t);
  buyer = await addRecipient(t, { kind: 'third_party', name: 'Acme Buyer', categories: [] });
  await submit('yes@clinic.example', 'Yara', true);
  await submit('no@clinic.example', 'Nico', false);
  await submit('optout@clinic.example', 'Otto', true);
  await suppress(
    t.db,
    t.kernel,
    { email: 'optout@clinic.example' },
    'email_marketing',
    t.clock.now(),
  );
});
afterAll(async () => t.close());

const exportAs = (role: 'admin' | 'sales', fields: Record<string, string>) =>
  postForm(t, staff[role]!.jar, '/console/leads/export', fields);

const ledgerRows = () =>
  t.db
    .selectFrom('disclosures')
    .select(['id', 'basis', 'purpose', 'channel', 'subject_count'])
    .execute();

/** An administrator's export refused with `message`: nothing is disclosed, so the ledger stays as it was. */
async function expectRefused(fields: Record<string, string>, message: string) {
  const before = (await ledgerRows()).length;
  const res = await exportAs('admin', fields);
  expect(res.statusCode, JSON.stringify(fields)).toBe(400);
  expect(res.body).toContain(message);
  expect(await ledgerRows()).toHaveLength(before);
  return res;
}

describe('CSV export of leads', () => {
  it('is a recorded disclosure: the file comes only with a ledger entry, and never carries the phone', async () => {
    const before = (await ledgerRows()).length;
    const res = await exportAs('admin', {
      recipient: crm,
      purpose: 'service_request',
      basis: 'requested_service',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="leads-service_request-/,
    );
    const [header, ...lines] = res.body.trim().split('\n');
    expect(header).not.toContain('phone');
    expect(header).toContain('email');
    expect(lines).toHaveLength(3);
    expect(res.body).toContain('yes@clinic.example');
    // The number in any spelling ((214) 555-0…, 214-555-0…, +1214555…), not digits that a
    // random id or a timestamp may happen to hold.
    expect(res.body).not.toMatch(/\(?214\)?[\s.-]*555[\s.-]*0\d{3}/);
    // A formula in free text is defused before a spreadsheet can run it.
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    const ledger = await ledgerRows();
    expect(ledger).toHaveLength(before + 1);
    expect(ledger.at(-1)).toMatchObject({
      basis: 'requested_service',
      purpose: 'service_request',
      channel: 'csv_export',
      subject_count: 3,
    });
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'export')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it('for marketing, carries only people whose consent stands and who have not opted out', async () => {
    const res = await exportAs('admin', { recipient: crm, purpose: 'marketing', basis: 'consent' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('yes@clinic.example');
    expect(res.body).not.toContain('no@clinic.example');
    expect(res.body).not.toContain('optout@clinic.example');
    expect(res.body.split('\n')[0]).not.toMatch(/address|needs|phone/);
  });

  it('is refused, and records nothing, when the policy does not allow the recipient and basis', async () => {
    const res = await expectRefused(
      { recipient: buyer, purpose: 'service_request', basis: 'requested_service' },
      'Export refused',
    );
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('"We do not share any information gathered through our intake forms with third parties": a chosen basis and a typed reference are not evidence', async () => {
    for (const basis of ['person_request', 'legal_obligation', 'business_transfer', 'consent']) {
      const res = await expectRefused(
        { recipient: buyer, purpose: 'service_request', basis, reference: 'anything at all' },
        'Export refused',
      );
      expect(res.body).toContain('A basis or reference typed here is not evidence');
    }
  });

  it('re-renders the form with field errors for missing choices, and never answers 500', async () => {
    const res = await exportAs('admin', {
      recipient: '',
      purpose: 'advertising',
      basis: 'whatever',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="recipient-error"');
    expect(res.body).toContain('Choose why the file is needed.');
  });

  it('is for administrators only', async () => {
    expect((await getAs(t, staff.admin!.jar, '/console/leads/export')).statusCode).toBe(200);
    expect((await getAs(t, staff.sales!.jar, '/console/leads/export')).statusCode).toBe(403);
    const res = await exportAs('sales', {
      recipient: crm,
      purpose: 'service_request',
      basis: 'requested_service',
    });
    expect(res.statusCode).toBe(403);
    expect((await getAs(t, staff.sales!.jar, '/console/leads')).body).not.toContain(
      'Export these as CSV',
    );
  });
});

describe('the export form offers a third party only what evidence supports', () => {
  let court: string;
  let yara: string;
  let nico: string;
  let legalRecord: string;
  const leadId = async (name: string) =>
    (await t.db.selectFrom('leads').select('id').where('name', '=', name).executeTakeFirstOrThrow())
      .id;

  beforeAll(async () => {
    court = await addRecipient(t, {
      kind: 'third_party',
      name: 'County Court',
      categories: [],
      contractRef: null,
    });
    yara = await leadId('Yara');
    nico = await leadId('Nico');
    legalRecord = await addAuthority(t, {
      kind: 'legal_process',
      recipientId: court,
      reference: 'SUBP-7',
      leads: [yara],
    });
  });

  it('offers no basis and no reference field, only the evidence records for the chosen recipient, each linked', async () => {
    const page = await getAs(t, staff.admin!.jar, `/console/leads/export?recipient=${court}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${legalRecord}"`);
    expect(page.body).toContain(`/console/disclosures/evidence#evidence-${legalRecord}`);
    expect(page.body).toContain('Covers 1 of the 3 leads matched');
    expect(page.body).not.toContain('name="basis"');
    expect(page.body).not.toContain('name="reference"');
    const none = await getAs(t, staff.admin!.jar, `/console/leads/export?recipient=${buyer}`);
    expect(none.body).toContain('no evidence is recorded for it');
    expect(none.body).not.toContain('Record the disclosure and download');
  });

  it('"as required by law or legal process": a bulk export goes only if every row carries evidence; otherwise nothing is disclosed', async () => {
    const all = await expectRefused(
      { recipient: court, purpose: 'legal', evidence: legalRecord },
      '2 of 3 people are not covered by a legal-process record for this recipient',
    );
    expect(all.body).toContain('nothing was disclosed');
    const one = await exportAs('admin', {
      recipient: court,
      purpose: 'legal',
      evidence: legalRecord,
      q: 'Yara',
    });
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('yes@clinic.example');
    expect(one.body).not.toContain('no@clinic.example');
    const ledger = await t.db
      .selectFrom('disclosures')
      .select(['basis', 'reference', 'subject_count'])
      .where('recipient_id', '=', court)
      .executeTakeFirstOrThrow();
    expect(ledger).toMatchObject({
      basis: 'legal_obligation',
      reference: 'SUBP-7',
      subject_count: 1,
    });
  });

  it('evidence for person A does not disclose person B', async () => {
    await expectRefused(
      { recipient: court, purpose: 'legal', evidence: legalRecord, q: 'Nico' },
      'No row has a legal-process record',
    );
    expect(nico).not.toBe(yara);
  });

  it("another recipient's evidence record is refused", async () => {
    const other = await addRecipient(t, {
      kind: 'third_party',
      name: 'Other Court',
      contractRef: null,
    });
    await expectRefused(
      { recipient: other, purpose: 'legal', evidence: legalRecord, q: 'Yara' },
      'The evidence record chosen is not',
    );
  });

  it('"We do not share any information gathered through our intake forms with third parties": never for marketing, whatever evidence is chosen', async () => {
    const undertaking = await addAuthority(t, { kind: 'buyer_undertaking', recipientId: court });
    for (const evidence of [legalRecord, undertaking]) {
      await expectRefused(
        { recipient: court, purpose: 'marketing', evidence, q: 'Yara' },
        'never shared with a third party for marketing',
      );
    }
  });
});
