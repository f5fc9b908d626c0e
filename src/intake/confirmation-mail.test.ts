import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithMail, settle } from '../privacy-center/testing.js';
import { TestClock, hiddenField, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { CONFIRMATION_SUBJECT } from './confirmation-mail.js';

// The person who sent the form gets one short, transactional confirmation at the address they
// typed, through the real loopback SMTP server: what happens next and how to reach the privacy
// officer, and nothing they did not type (here: nothing typed at all but the address itself).

let t: TestApp;
let smtp: SmtpPeer;
let close: () => Promise<void>;
const clock = new TestClock();
beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
});
afterAll(async () => close());

const decode = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

async function send(p: Record<string, string>) {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: new URLSearchParams({
      ...p,
      formToken: hiddenField(page.body, 'formToken'),
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.statusCode).toBe(303);
}

const ana = {
  userType: 'patient',
  name: 'Ana Quintero',
  email: 'ana.q@mail.example',
  organization: 'Hillcrest Clinic',
  needs: 'I was charged twice for the same visit in October.',
  consentMarketing: 'on',
};
const ben = {
  userType: 'provider',
  name: 'Ben Achebe',
  email: 'ben@achebe-ortho.example',
  organization: 'Achebe Orthopedics',
  practiceSize: '6-20',
  city: 'Plano',
  state: 'TX',
  zip: '75024',
  needs: 'Credentialing with two new payers.',
};

const confirmationsTo = (addr: string) =>
  smtp.received.filter((m) => m.to.includes(addr) && m.raw.includes(CONFIRMATION_SUBJECT));

describe('the confirmation email to the sender', () => {
  beforeAll(async () => {
    await send(ana);
    await send(ben);
    await settle(t, smtp);
  });

  it('reaches each sender alone, at the address they typed', () => {
    expect(confirmationsTo(ana.email)).toHaveLength(1);
    expect(confirmationsTo(ben.email)).toHaveLength(1);
    for (const m of [...confirmationsTo(ana.email), ...confirmationsTo(ben.email)])
      expect(m.to).toHaveLength(1);
  });

  it('says what happens next and how to reach the privacy officer', () => {
    const text = decode(confirmationsTo(ana.email)[0]!.raw);
    expect(text).toContain('What happens next');
    expect(text).toContain(t.site.company.privacyEmail);
    expect(text).toContain('http://localhost:3000/privacy-center');
    expect(text).toContain(t.site.company.address.street);
  });

  it('carries no one else’s data and nothing the sender did not type, not even their own words', () => {
    const text = decode(confirmationsTo(ana.email)[0]!.raw);
    for (const other of [ben.name, ben.email, ben.organization, ben.needs, 'Achebe'])
      expect(text).not.toContain(other);
    // Their own message, name and practice are not repeated to an address no one verified.
    for (const own of [ana.name, ana.organization, ana.needs, 'patient'])
      expect(text).not.toContain(own);
  });

  it('is transactional: no marketing content, though Ana agreed to marketing', () => {
    const text = decode(confirmationsTo(ana.email)[0]!.raw).toLowerCase();
    for (const word of [
      'unsubscribe',
      'offer',
      'newsletter',
      ...t.site.services.map((s) => s.title.toLowerCase()),
    ])
      expect(text).not.toContain(word);
    expect(text).not.toMatch(/^list-unsubscribe:/m);
  });

  it('is recorded in the disclosure ledger as a hand-off to the relay for the requested service', async () => {
    const rows = await t.db
      .selectFrom('disclosures')
      .select(['basis', 'purpose', 'categories'])
      .where('basis', '=', 'requested_service')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]).toMatchObject({ purpose: 'service_request' });
    expect(JSON.parse(rows[0]!.categories)).toEqual(['contact.email']);
  });

  it('goes once a day at most: writing again the same day sends no second one, the next day does', async () => {
    await send({ ...ana, needs: 'One more thing about the same bill.' });
    await settle(t, smtp);
    expect(confirmationsTo(ana.email)).toHaveLength(1);
    clock.advance(24 * 3600_000);
    await send({ ...ana, needs: 'Still waiting on the refund.' });
    await settle(t, smtp);
    expect(confirmationsTo(ana.email)).toHaveLength(2);
  });

  it('is not sent once the submission is gone (erased before the worker ran)', async () => {
    const eve = { ...ben, name: 'Eve Stone', email: 'eve@stone.example' };
    await send(eve);
    const leadId = await t.leadIdByEmail(eve.email);
    await t.db.deleteFrom('lead_submissions').where('lead_id', '=', leadId).execute();
    await settle(t, smtp);
    expect(confirmationsTo(eve.email)).toHaveLength(0);
  });
});
