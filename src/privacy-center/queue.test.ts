import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBusinessDays } from '../adapters/dates.js';
import { deadlinesFor } from './deadlines.js';
import { appWithMail, askFor, linkIn, settle, submitLead, lastMailTo } from './testing.js';
import { TestClock, cookieHeader, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { getAs, postForm, staffJar } from '../test-support/staff.js';
import { duePrivacyReminders } from './reminders.js';

const DAY = 86_400_000;
// A Tuesday: ten business days later is the Tuesday two weeks on.
const start = new Date('2026-12-01T15:00:00.000Z');
const clock = new TestClock(start);
let smtp: SmtpPeer;
let t: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
  await staffJar(t, 'privacy');
});
afterAll(() => close());

/** A verified request of a kind, for a lead with this email; returns the request id. */
async function verified(email: string, fields: Record<string, string>) {
  await submitLead(t, email, `(214) 555-0${String(100 + Math.floor(Math.random() * 800))}`);
  await askFor(t, { email, ...fields });
  await settle(t, smtp);
  const link = linkIn(lastMailTo(smtp, email).raw);
  expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(303);
  const row = await t.db
    .selectFrom('privacy_requests')
    .select('id')
    .where('status', '=', 'verified')
    .orderBy('verified_at', 'desc')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('deadline arithmetic', () => {
  it('counts 10 business days past weekends, 45 calendar days for the answer', () => {
    expect(addBusinessDays(new Date('2026-12-04T10:00:00Z'), 10).toISOString()).toBe(
      '2026-12-18T10:00:00.000Z',
    ); // Friday → Friday
    expect(addBusinessDays(new Date('2026-12-05T10:00:00Z'), 1).toISOString()).toBe(
      '2026-12-07T10:00:00.000Z',
    ); // Saturday → Monday
    const d = deadlinesFor(start);
    expect(d.receiptDue.toISOString()).toBe('2026-12-15T15:00:00.000Z');
    expect(d.answerDue.toISOString()).toBe('2027-01-15T15:00:00.000Z');
  });
});

describe('the queue', () => {
  let id: string;

  it('confirms receipt at once and counts 45 days from arrival', async () => {
    id = await verified('dl@clinic.example', { kind: 'deletion' });
    const row = await t.db
      .selectFrom('privacy_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.receipt_sent_at).toBe(start.toISOString());
    expect(row.due_at).toBe('2027-01-15T15:00:00.000Z');
    await settle(t, smtp);
    expect(lastMailTo(smtp, 'dl@clinic.example').raw).toContain('We received your privacy request');
    const page = await t.app.inject({
      method: 'GET',
      url: '/console/privacy',
      headers: { cookie: cookieHeader(await staffJar(t, 'privacy')) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Deletion');
    expect(page.body).toContain('Privacy requests');
  });

  it('records the officer’s read of a request, which shows the person’s address', async () => {
    const page = await t.app.inject({
      method: 'GET',
      url: `/console/privacy/${id}`,
      headers: { cookie: cookieHeader(await staffJar(t, 'privacy')) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('dl@clinic.example');
    const read = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'record_read')
      .where('target_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(read).toMatchObject({
      target_type: 'privacy_request',
      purpose: 'legal',
      actor_kind: 'staff',
    });
    expect(read.detail).not.toContain('dl@clinic.example');
  });

  it('reminds privacy staff once when 10 days remain, and again after an extension', async () => {
    clock.advance(34 * DAY); // 11 days left
    expect(await duePrivacyReminders(t.db, clock.now())).toBe(0);
    clock.advance(1 * DAY); // 10 days left
    expect(await duePrivacyReminders(t.db, clock.now())).toBe(1);
    expect(await duePrivacyReminders(t.db, clock.now())).toBe(0);
    await settle(t, smtp);
    const reminder = smtp.received.at(-1)!;
    expect(reminder.to.some((a) => a.startsWith('privacy-'))).toBe(true);
    expect(reminder.raw).toContain(`/console/privacy/${id}`);
    expect(reminder.raw).not.toContain('dl@clinic.example');

    const noReason = await postForm(
      t,
      await staffJar(t, 'privacy'),
      `/console/privacy/${id}/extend`,
      { reason: '' },
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Give the reason for the extension');
    const ext = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${id}/extend`, {
      reason: 'We must check three archived systems for your records.',
    });
    expect(ext.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('privacy_requests')
      .select(['due_at', 'extended_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.due_at).toBe('2027-03-01T15:00:00.000Z');
    const twice = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${id}/extend`, {
      reason: 'Still checking the archived systems.',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('already extended once');
    await settle(t, smtp);
    expect(lastMailTo(smtp, 'dl@clinic.example').raw).toContain('We need more time');
    clock.advance(44 * DAY); // day 79 of 90: 11 days left
    expect(await duePrivacyReminders(t.db, clock.now())).toBe(0);
    clock.advance(1 * DAY);
    expect(await duePrivacyReminders(t.db, clock.now())).toBe(1);
  });

  it('refuses an extension after the first deadline', async () => {
    const late = await verified('late@clinic.example', { kind: 'deletion' });
    clock.advance(46 * DAY);
    const res = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${late}/extend`, {
      reason: 'We must check three archived systems.',
    });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('The first deadline has passed');
  });

  it('denies only with a stated reason, which the person is told', async () => {
    const res = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${id}/deny`, {
      reason: 'no',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Give the reason for the denial');
    const ok = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${id}/deny`, {
      reason: 'Your records are under a legal hold for a pending case.',
    });
    expect(ok.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('privacy_requests')
      .select(['status', 'response', 'denial_reason', 'closed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'denied',
      response: 'denied',
      denial_reason: 'Your records are under a legal hold for a pending case.',
    });
    await settle(t, smtp);
    expect(lastMailTo(smtp, 'dl@clinic.example').raw).toContain('legal hold');
  });
});

describe('corrections', () => {
  it('verifies an email change through the current address and confirms the new one before applying', async () => {
    const id = await verified('old@clinic.example', {
      kind: 'correction',
      correctionField: 'email',
      correctionValue: 'new@clinic.example',
    });
    const early = await postForm(t, await staffJar(t, 'privacy'), `/console/privacy/${id}/correct`);
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('has not been confirmed yet');
    await settle(t, smtp);
    const confirmMail = lastMailTo(smtp, 'new@clinic.example');
    expect(confirmMail.raw).toContain('Confirm your new email address');
    expect((await t.app.inject({ method: 'POST', url: linkIn(confirmMail.raw) })).statusCode).toBe(
      303,
    );
    const applied = await postForm(
      t,
      await staffJar(t, 'privacy'),
      `/console/privacy/${id}/correct`,
    );
    expect(applied.statusCode).toBe(303);
    expect(await t.leadIdByEmail('new@clinic.example')).toBeTruthy();
  });
});

describe('permissions', () => {
  it('lets privacy officers and admins in, and keeps sales and marketing out', async () => {
    for (const role of ['privacy', 'admin'] as const) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/console/privacy',
        headers: { cookie: cookieHeader(await staffJar(t, role)) },
      });
      expect(res.statusCode, role).toBe(200);
    }
    const any = await t.db
      .selectFrom('privacy_requests')
      .select('id')
      .where('status', '!=', 'unverified')
      .executeTakeFirstOrThrow();
    for (const role of ['sales', 'marketing'] as const) {
      const jar = await staffJar(t, role);
      const res = await t.app.inject({
        method: 'GET',
        url: '/console/privacy',
        headers: { cookie: cookieHeader(jar) },
      });
      expect(res.statusCode, role).toBe(403);
      const post = await postForm(t, jar, `/console/privacy/${any.id}/deny`, {
        reason: 'A reason long enough to pass.',
      });
      expect(post.statusCode, role).toBe(403);
    }
    const anon = await t.app.inject({ method: 'GET', url: '/console/privacy' });
    expect(anon.statusCode).toBe(303);
    const sales = await staffJar(t, 'sales');
    const nav = await t.app.inject({
      method: 'GET',
      url: '/console/leads',
      headers: { cookie: cookieHeader(sales) },
    });
    expect(nav.body).not.toContain('/console/privacy');
  });
});

describe('a request made by phone, post or email', () => {
  it('is logged by a privacy officer, confirmed by the person’s own link, and joins the queue', async () => {
    const email = 'caller@clinic.example';
    await submitLead(t, email, '(214) 555-0321');
    const jar = await staffJar(t, 'privacy');
    const form = await getAs(t, jar, '/console/privacy/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Log a privacy request');

    const res = await postForm(t, jar, '/console/privacy/new', {
      channel: 'phone',
      kind: 'access',
      email,
    });
    expect(res.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('privacy_requests')
      .selectAll()
      .where('channel', '=', 'phone')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'access',
      status: 'unverified',
      created_at: clock.now().toISOString(),
    });
    expect(row.email).toMatch(/^enc1\./);
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'privacy_request', actor_kind: 'staff' });
    expect(audit.detail).toContain('"channel":"phone"');

    await settle(t, smtp);
    // The intake form also mailed this address its own confirmation: take the request's.
    const mail = smtp.received.find(
      (m) => m.to.includes(email) && m.raw.includes('Subject: Confirm your privacy request'),
    )!;
    expect(mail.raw).toContain('We received a request by phone');
    expect((await t.app.inject({ method: 'POST', url: linkIn(mail.raw) })).statusCode).toBe(303);
    const queue = await getAs(t, jar, '/console/privacy');
    expect(queue.body).toContain('By phone, logged by staff');
  });

  it('refuses a form with problems beside each field, stores nothing, and is closed to other roles', async () => {
    const jar = await staffJar(t, 'privacy');
    const before = await t.db.selectFrom('privacy_requests').select('id').execute();
    const bad = await postForm(t, jar, '/console/privacy/new', {
      channel: 'fax',
      kind: 'correction',
      email: 'not-an-address',
      correctionField: 'email',
      correctionValue: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose how the request reached us.');
    expect(bad.body).toMatch(/aria-describedby="[^"]*email-error"/);
    expect(bad.body).toContain('value="not-an-address"');
    expect(await t.db.selectFrom('privacy_requests').select('id').execute()).toHaveLength(
      before.length,
    );

    const sales = await staffJar(t, 'sales');
    expect((await getAs(t, sales, '/console/privacy/new')).statusCode).toBe(403);
    expect(
      (
        await postForm(t, sales, '/console/privacy/new', {
          channel: 'post',
          kind: 'deletion',
          email: 'x@clinic.example',
        })
      ).statusCode,
    ).toBe(403);
  });
});
