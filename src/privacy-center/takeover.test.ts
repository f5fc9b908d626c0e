import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock, hiddenField, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { postForm, staffJar } from '../test-support/staff.js';
import { appWithMail, askFor, linkIn, settle, lastMailTo } from './testing.js';

// A stranger who knows someone's phone number (or email) must not be able to make the intake
// form attach their submissions to that person's lead, then read or erase it through the
// Privacy Center with an address of their own.

const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
let smtp: SmtpPeer;
let t: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
});
afterAll(() => close());

interface Person {
  name: string;
  organization: string;
  address: string;
  zip: string;
  email: string;
  phone: string;
  needs: string;
}

const victim = (n: number): Person => ({
  name: `Vera Quillfeather ${n}`,
  organization: `Quillfeather Pediatrics ${n}`,
  address: `${n} Larchmont Crescent`,
  zip: `7510${n}`,
  email: `vera${n}@quillfeather.example`,
  phone: `(469) 555-010${n}`,
  needs: `Vera's private note number ${n} about our coding backlog.`,
});

const attacker = (n: number, phone: string): Person => ({
  name: `Mallory Stranger ${n}`,
  organization: `Stranger Holdings ${n}`,
  address: `${n} Decoy Road`,
  zip: `7700${n}`,
  email: `mallory${n}@stranger.example`,
  phone,
  needs: 'Please send me everything.',
});

/** Values only the victim typed: none may reach anyone else. */
const victimValues = (v: Person) => [v.name, v.organization, v.address, v.zip, v.email, v.needs];

async function sendForm(p: Person): Promise<void> {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: {
      userType: 'provider',
      practiceSize: '2-5',
      city: 'Plano',
      state: 'TX',
      consentSms: 'on',
      ...p,
      formToken: hiddenField(page.body, 'formToken'),
    },
  });
  expect(res.statusCode).toBe(201);
  await settle(t, smtp);
}

/** Asks the Privacy Center for something and confirms it from the mailed link. */
async function verifiedRequest(
  kind: 'access' | 'deletion' | 'correction',
  email: string,
  extra: Record<string, string> = {},
): Promise<string> {
  expect((await askFor(t, { kind, email, ...extra })).statusCode).toBe(303);
  await settle(t, smtp);
  const mail = lastMailTo(smtp, email);
  expect(mail, `a verification mail to ${email}`).toBeDefined();
  const link = linkIn(mail.raw);
  expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(303);
  await settle(t, smtp);
  return link;
}

async function reportFor(email: string): Promise<{ html: string; json: string }> {
  const link = await verifiedRequest('access', email);
  const html = await t.app.inject({ method: 'GET', url: link });
  const json = await t.app.inject({ method: 'GET', url: `${link}/report.json` });
  expect(html.statusCode).toBe(200);
  expect(json.statusCode).toBe(200);
  return { html: html.body, json: json.body };
}

/** The attacker asks for deletion with their own address; the privacy officer carries it out. */
async function eraseAs(email: string): Promise<void> {
  await verifiedRequest('deletion', email);
  const row = await t.db
    .selectFrom('privacy_requests')
    .select('id')
    .where('kind', '=', 'deletion')
    .where('status', '=', 'verified')
    .where('email_index', 'in', t.kernel.lookupIndexes('email', email))
    .executeTakeFirstOrThrow();
  const res = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${row.id}/delete`, {
    confirm: 'yes',
  });
  expect(res.statusCode).toBe(303);
}

/** The victim's lead and every submission they sent, opened: still theirs after the attack. */
async function expectIntact(v: Person): Promise<void> {
  const leadId = await t.leadIdByEmail(v.email);
  const lead = await t.db
    .selectFrom('leads')
    .select(['email'])
    .where('id', '=', leadId)
    .executeTakeFirstOrThrow();
  expect(t.kernel.open('leads', lead).email).toBe(v.email);
  const subs = await t.db
    .selectFrom('lead_submissions')
    .select(['name', 'address', 'email', 'needs'])
    .where('lead_id', '=', leadId)
    .execute();
  expect(subs.map((s) => t.kernel.open('lead_submissions', s))).toContainEqual({
    name: v.name,
    address: v.address,
    email: v.email,
    needs: v.needs,
  });
}

function expectNoneOf(values: string[], ...texts: string[]): void {
  for (const text of texts) expect(values.filter((v) => text.includes(v))).toEqual([]);
}

describe('taking over a lead through the intake form', () => {
  it('with only the victim’s phone number: the report shows nothing of the victim and erasure leaves them intact', async () => {
    const v = victim(1);
    await sendForm(v);
    // The victim also stopped text messages: that is theirs, not the attacker's to learn.
    const optOut = await t.app.inject({
      method: 'POST',
      url: '/privacy-center/choices',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ phone: v.phone, sms: 'on' }).toString(),
    });
    expect(optOut.statusCode).toBe(303);
    const m = attacker(1, '469.555.0101');
    await sendForm(m);

    const report = await reportFor(m.email);
    expect(report.html).toContain(m.name);
    expectNoneOf(victimValues(v), report.html, report.json);
    const sections = (JSON.parse(report.json) as { sections: { table: string; rows: [] }[] })
      .sections;
    expect(sections.find((s) => s.table === 'suppressions')?.rows ?? []).toEqual([]);

    await eraseAs(m.email);
    await expectIntact(v);
  });

  it('with the victim’s email, then their own address: the report shows nothing of the victim and erasure leaves them intact', async () => {
    const v = victim(2);
    await sendForm(v);
    const phone = '(832) 555-0199';
    // First the victim's email with the attacker's phone, then the attacker's own email.
    await sendForm({ ...attacker(2, phone), email: v.email });
    const m = attacker(2, phone);
    await sendForm(m);

    const report = await reportFor(m.email);
    expect(report.html).toContain(m.name);
    expectNoneOf(victimValues(v), report.html, report.json);

    await eraseAs(m.email);
    await expectIntact(v);
  });

  it('a stranger who gives the number first cannot block the owner’s correction to it', async () => {
    const v = victim(3);
    await sendForm(v);
    const number = '(214) 555-0133';
    await sendForm(attacker(3, number));
    await verifiedRequest('correction', v.email, {
      correctionField: 'phone',
      correctionValue: number,
    });
    const row = await t.db
      .selectFrom('privacy_requests')
      .select('id')
      .where('kind', '=', 'correction')
      .where('email_index', 'in', t.kernel.lookupIndexes('email', v.email))
      .executeTakeFirstOrThrow();
    const res = await postForm(
      t,
      await staffJar(t, 'privacy'),
      `/console/privacy/${row.id}/correct`,
    );
    expect(res.statusCode).toBe(303);
    const lead = await t.db
      .selectFrom('leads')
      .select('phone')
      .where('id', '=', await t.leadIdByEmail(v.email))
      .executeTakeFirstOrThrow();
    expect(t.kernel.open('leads', lead).phone).toBe('+12145550133');
  });
});
