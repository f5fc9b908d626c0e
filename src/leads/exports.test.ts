import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { suppress } from '../privacy/suppression.js';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { getAs, postForm, staffSessions } from '../test-support/staff.js';

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;
let crm: string;
let buyer: string;

async function submit(email: string, name: string, consentMarketing: boolean) {
  const form = await t.app.inject({ method: 'GET', url: '/get-started' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: {
      userType: 'provider',
      name,
      organization: `${name} Clinic`,
      practiceSize: '2-5',
      address: '9 Elm Street',
      city: 'Dallas',
      state: 'TX',
      zip: '75201',
      email,
      phone: `(214) 555-0${String(100 + email.length).slice(-3)}`,
      consentSms: 'on',
      needs: '=HYPERLINK("http://evil.example")',
      formToken: hiddenField(form.body, 'formToken'),
      ...(consentMarketing ? { consentMarketing: 'on' } : {}),
    },
  });
  expect(res.statusCode).toBe(201);
}

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin', 'sales']);
  crm = await addRecipient(t, {
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
    const before = (await ledgerRows()).length;
    const res = await exportAs('admin', {
      recipient: buyer,
      purpose: 'service_request',
      basis: 'requested_service',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Export refused');
    expect(await ledgerRows()).toHaveLength(before);
  });

  it('"We do not share any information gathered through our intake forms with third parties": a chosen basis and a typed reference are not evidence', async () => {
    const before = (await ledgerRows()).length;
    for (const basis of ['person_request', 'legal_obligation', 'business_transfer']) {
      const res = await exportAs('admin', {
        recipient: buyer,
        purpose: 'service_request',
        basis,
        reference: 'anything at all',
      });
      expect(res.statusCode, basis).toBe(400);
      expect(res.body).toContain('Export refused');
    }
    const marketing = await exportAs('admin', {
      recipient: buyer,
      purpose: 'marketing',
      basis: 'consent',
      reference: 'X',
    });
    expect(marketing.statusCode).toBe(400);
    expect(marketing.body).toContain('never shared with a third party for marketing');
    const consent = await exportAs('admin', {
      recipient: buyer,
      purpose: 'service_request',
      basis: 'consent',
    });
    expect(consent.statusCode).toBe(400);
    expect(consent.body).toContain('No row has consent naming this recipient');
    expect(await ledgerRows()).toHaveLength(before);
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
