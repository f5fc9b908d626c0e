import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSuppressed } from '../privacy/subject-data.js';
import { TestClock, cookieHeader, cookieJar, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { postForm, staffJar } from '../test-support/staff.js';
import { appWithMail, askFor, linkIn, settle, submitLead, lastMailTo } from './testing.js';

const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
let smtp: SmtpPeer;
let t: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
});
afterAll(() => close());

const choose = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/privacy-center/choices',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });

describe('opt-outs without verification', () => {
  it('take effect at once, withdraw consent on the matching lead, and survive its deletion', async () => {
    const email = 'dana@clinic.example';
    const leadId = await submitLead(t, email, '(214) 555-0142');
    const res = await choose({
      email,
      phone: '214-555-0142',
      marketing: 'on',
      sms: 'on',
      sensitive: 'on',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/privacy-center/choices/saved');
    const withdrawals = await t.db
      .selectFrom('consents')
      .select(['purpose', 'channel', 'text_shown'])
      .where('subject_id', '=', leadId)
      .where('granted', '=', 0)
      .execute();
    expect(withdrawals).toEqual(
      expect.arrayContaining([
        {
          purpose: 'marketing',
          channel: 'email',
          text_shown: 'Stop marketing email to this address.',
        },
        {
          purpose: 'sms_communication',
          channel: 'sms',
          text_shown: 'Stop text messages to this number.',
        },
      ]),
    );
    expect(await isSuppressed(t.db, t.kernel, { email }, 'email_marketing')).toBe(true);
    expect(await isSuppressed(t.db, t.kernel, { phone: '+12145550142' }, 'sms')).toBe(true);
    // An unknown address gets the same answer, and its opt-out is kept too.
    const unknown = await choose({ email: 'stranger@else.example', marketing: 'on' });
    expect(unknown.statusCode).toBe(303);
    expect(unknown.headers.location).toBe(res.headers.location);

    // The person then asks for deletion; the officer completes it; the opt-outs remain.
    await askFor(t, { kind: 'deletion', email });
    await settle(t, smtp);
    const link = linkIn(lastMailTo(smtp, email).raw);
    expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(303);
    const req = await t.db
      .selectFrom('privacy_requests')
      .select('id')
      .where('kind', '=', 'deletion')
      .executeTakeFirstOrThrow();
    const officer = await staffJar(t, 'privacy');
    const done = await postForm(t, officer, `/console/privacy/${req.id}/delete`, {
      confirm: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect(
      await t.db.selectFrom('leads').select('id').where('id', '=', leadId).executeTakeFirst(),
    ).toBeUndefined();
    expect(await isSuppressed(t.db, t.kernel, { email }, 'email_marketing')).toBe(true);
    expect(await isSuppressed(t.db, t.kernel, { phone: '(214) 555-0142' }, 'sms')).toBe(true);
    const closed = await t.db
      .selectFrom('privacy_requests')
      .select(['status', 'response', 'handled_by'])
      .where('id', '=', req.id)
      .executeTakeFirstOrThrow();
    expect(closed).toMatchObject({ status: 'completed', response: 'deleted' });
    await settle(t, smtp);
    expect(lastMailTo(smtp, email).raw).toContain('We have deleted your information');
  });

  it('refuses an empty or inconsistent form with a reason, never a 500', async () => {
    const none = await choose({});
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Tick at least one choice');
    const noEmail = await choose({ marketing: 'on' });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.body).toContain('Enter the email address that should get no marketing email.');
    const badPhone = await choose({ phone: '12', sms: 'on' });
    expect(badPhone.statusCode).toBe(400);
    expect(badPhone.body).toContain('Enter a US phone number');
    const junk = await choose({ analyticsCookies: 'maybe' });
    expect(junk.statusCode).toBe(400);
  });
});

describe('Global Privacy Control', () => {
  it('is counted for the day, overrides an earlier opt-in, and its absence later is no opt-in', async () => {
    const optIn = await choose({ advertisingCookies: 'allow', analyticsCookies: 'deny' });
    expect(optIn.statusCode).toBe(303);
    const jar = cookieJar(optIn);
    const before = await t.app.inject({
      method: 'GET',
      url: '/privacy-center',
      headers: { cookie: cookieHeader(jar) },
    });
    expect(before.body).not.toContain('Opt-out preference signal honored');
    expect(before.body).toMatch(/id="advertisingCookies-allow"[^>]*checked/);

    const withGpc = await t.app.inject({
      method: 'GET',
      url: '/privacy-center',
      headers: { cookie: cookieHeader(jar), 'sec-gpc': '1' },
    });
    expect(withGpc.body).toContain('Opt-out preference signal honored');
    cookieJar(withGpc, jar);
    // Counted for the day; no row for an anonymous browser, so no write per request.
    const counted = async () => {
      await t.app.gpcDaily.flush();
      const row = await t.db.selectFrom('gpc_daily').select('signals').executeTakeFirst();
      return Number(row?.signals ?? 0);
    };
    const signals = await counted();
    expect(signals).toBeGreaterThan(0);
    expect(await t.db.selectFrom('gpc_applications').select('id').execute()).toHaveLength(0);
    // Applied once per browser: the next page sets no cookie again.
    const next = await t.app.inject({
      method: 'GET',
      url: '/get-started',
      headers: { cookie: cookieHeader(jar), 'sec-gpc': '1' },
    });
    expect(next.headers['set-cookie']).toBeUndefined();
    expect(await counted()).toBe(signals + 1);

    const after = await t.app.inject({
      method: 'GET',
      url: '/privacy-center',
      headers: { cookie: cookieHeader(jar) },
    });
    expect(after.body).not.toContain('Opt-out preference signal honored');
    expect(after.body).toMatch(/id="advertisingCookies-deny"[^>]*checked/);
    expect(after.body).not.toMatch(/id="advertisingCookies-allow"[^>]*checked/);
  });

  it('applies to the person who sends the intake form with the signal, and shows on /get-started', async () => {
    const page = await t.app.inject({
      method: 'GET',
      url: '/get-started',
      headers: { 'sec-gpc': '1' },
    });
    expect(page.body).toContain('Opt-out preference signal honored');
    const leadId = await submitLead(t, 'gpc@clinic.example', '(214) 555-0199', { 'sec-gpc': '1' });
    const row = await t.db
      .selectFrom('gpc_applications')
      .select(['subject_kind', 'source'])
      .where('subject_id', '=', leadId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ subject_kind: 'lead', source: 'intake' });
    expect(await isSuppressed(t.db, t.kernel, { email: 'gpc@clinic.example' }, 'advertising')).toBe(
      true,
    );
    // No IP anywhere in the record.
    const all = JSON.stringify(await t.db.selectFrom('gpc_applications').selectAll().execute());
    expect(all).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('applies to the person who verifies a request with the signal', async () => {
    await submitLead(t, 'verify-gpc@clinic.example', '(214) 555-0177');
    await askFor(t, { kind: 'access', email: 'verify-gpc@clinic.example' });
    await settle(t, smtp);
    const link = linkIn(lastMailTo(smtp, 'verify-gpc@clinic.example').raw);
    await t.app.inject({ method: 'POST', url: link, headers: { 'sec-gpc': '1' } });
    expect(
      await isSuppressed(t.db, t.kernel, { email: 'verify-gpc@clinic.example' }, 'advertising'),
    ).toBe(true);
    const rows = await t.db
      .selectFrom('gpc_applications')
      .select('source')
      .where('source', '=', 'verification')
      .execute();
    expect(rows).toHaveLength(1);
  });
});
