import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitLead } from '../privacy-center/testing.js';
import { cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { consoleCsrf, getAs, postForm, staffSessions } from '../test-support/staff.js';
import { addRecipient } from './testing.js';

// The privacy officer's page for evidence behind disclosures to third parties.

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;
let court: string;
let relay: string;
let ana: string;
let ben: string;
const here = '/console/disclosures/evidence';

const records = () =>
  t.db.selectFrom('disclosure_authorities').select(['id', 'kind', 'justification']).execute();
const covered = (id: string) =>
  t.db
    .selectFrom('disclosure_authority_subjects')
    .select('subject_id')
    .where('authority_id', '=', id)
    .orderBy('subject_id')
    .execute();
const post = (fields: Record<string, string>, role: 'privacy' | 'admin' | 'sales' = 'privacy') =>
  postForm(t, staff[role]!.jar, here, fields);
const legal = (people: string, extra: Record<string, string> = {}) =>
  post({
    kind: 'legal_process',
    recipient: court,
    issuer: 'Dallas County District Court',
    reference: 'SUBP-2026-114',
    issuedOn: '2026-11-20',
    people,
    ...extra,
  });

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['privacy', 'admin', 'sales']);
  court = await addRecipient(t, {
    kind: 'third_party',
    name: 'Dallas County District Court',
    categories: [],
    contractRef: null,
  });
  relay = await addRecipient(t, { categories: ['contact.email'] });
  ana = await submitLead(t, 'ana@clinic.example');
  ben = await submitLead(t, 'ben@clinic.example');
});
afterAll(async () => t.close());

describe('"as required by law or legal process": a privacy officer records the process and the people it names', () => {
  it('stores the record covering only the people named (by email or lead id), audited, and lists it', async () => {
    const res = await legal(`ANA@clinic.example\n${ben}`);
    expect(res.statusCode).toBe(303);
    const [rec] = (await records()).filter((r) => r.kind === 'legal_process');
    expect(res.headers.location).toBe(`${here}?saved=1#evidence-${rec!.id}`);
    expect((await covered(rec!.id)).map((c) => c.subject_id)).toEqual([ana, ben].sort());
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_id', 'detail'])
      .where('action', '=', 'disclosure_evidence')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(staff.privacy!.id);
    expect(JSON.parse(audit[0]!.detail!)).toMatchObject({ kind: 'legal_process', people: 2 });
    // The reference may name parties to a case: it stays in the record, not the log.
    expect(audit[0]!.detail).not.toContain('SUBP');
    const list = await getAs(t, staff.privacy!.jar, here);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('SUBP-2026-114');
    expect(list.body).toContain(`lead ${ana.slice(0, 8)}`);
    expect(list.body).not.toContain('ana@clinic.example');
  });

  it("refuses another person's id that is no lead (a staff member's), storing nothing", async () => {
    const before = (await records()).length;
    const res = await legal(`${ana}\n${staff.sales!.id}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Line 2 matches no lead');
    expect(await records()).toHaveLength(before);
  });

  it('refuses a NUL in any field with a 400 naming it, storing nothing', async () => {
    const before = (await records()).length;
    const res = await legal(ana, { issuer: 'County\u0000Court' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('issuer');
    expect(await records()).toHaveLength(before);
  });

  it('refuses a service provider as recipient, a future date, and a record naming no one', async () => {
    const res = await post({
      kind: 'legal_process',
      recipient: relay,
      issuer: 'Court',
      reference: 'X-1',
      issuedOn: '2026-12-31',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose an active third party');
    expect(res.body).toContain('cannot be in the future');
    expect(res.body).toContain('Name the people it covers');
  });
});

describe('"to protect rights, property, life, health, safety": one person at a time, with a justification', () => {
  const protect = (people: string, justification = 'Threat to staff safety reported by police.') =>
    post({
      kind: 'protection',
      recipient: court,
      issuer: 'Dallas Police Department',
      reference: 'DPD-77',
      issuedOn: '2026-11-27',
      interest: 'safety',
      people,
      justification,
    });

  it('refuses two people in one record, and a record without a reason', async () => {
    expect((await protect(`${ana}\n${ben}`)).body).toContain('covers one person');
    expect((await protect(ana, 'because')).body).toContain('Say why the disclosure is needed');
  });

  it('records one person with what it protects', async () => {
    expect((await protect('ben@clinic.example')).statusCode).toBe(303);
    const rec = (await records()).find((r) => r.kind === 'protection')!;
    expect(rec.justification).toBe('safety: Threat to staff safety reported by police.');
    expect((await covered(rec.id)).map((c) => c.subject_id)).toEqual([ben]);
  });
});

describe('"to a buyer in a business transaction": a prospective buyer bound by an undertaking', () => {
  const buyer = (extra: Record<string, string>) =>
    post({
      kind: 'buyer_undertaking',
      recipient: court,
      issuer: 'Acme Holdings',
      reference: 'NDA-2026-3',
      issuedOn: '2026-11-01',
      ...extra,
    });

  it('refuses without the undertaking, records it with one', async () => {
    const refused = await buyer({});
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('must undertake to use the data only as the policy allows');
    expect((await buyer({ undertaking: 'on' })).statusCode).toBe(303);
    const rec = (await records()).find((r) => r.kind === 'buyer_undertaking')!;
    expect(rec.justification).toContain('only as our privacy policy');
  });
});

describe('who may record evidence', () => {
  it('a sales user is refused (403), on the page and the post', async () => {
    expect((await getAs(t, staff.sales!.jar, here)).statusCode).toBe(403);
    expect((await getAs(t, staff.sales!.jar, `${here}/new?kind=protection`)).statusCode).toBe(403);
    const before = (await records()).length;
    const res = await postForm(t, staff.sales!.jar, here, {
      kind: 'legal_process',
      recipient: court,
      issuer: 'Court',
      reference: 'S-1',
      issuedOn: '2026-11-20',
      people: ana,
    });
    expect(res.statusCode).toBe(403);
    expect(await records()).toHaveLength(before);
  });

  it('a cross-site post is refused even with a valid session and token', async () => {
    const before = (await records()).length;
    const { token, jar } = await consoleCsrf(t, staff.privacy!.jar);
    const res = await t.app.inject({
      method: 'POST',
      url: here,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookieHeader(jar),
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      payload: new URLSearchParams({
        _csrf: token,
        kind: 'legal_process',
        recipient: court,
        issuer: 'Court',
        reference: 'S-2',
        issuedOn: '2026-11-20',
        people: ana,
      }).toString(),
    });
    expect(res.statusCode).toBe(403);
    expect(await records()).toHaveLength(before);
  });

  it('the form offers registered third parties only', async () => {
    const page = await getAs(t, staff.admin!.jar, `${here}/new?kind=legal_process`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${court}"`);
    expect(page.body).not.toContain(`value="${relay}"`);
  });
});
