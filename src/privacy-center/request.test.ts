import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { appWithMail, askFor, linkIn, mailsTo, settle, submitLead } from './testing.js';

const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
let smtp: SmtpPeer;
let t: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
});
afterAll(() => close());

describe('a request for access', () => {
  it('answers a known and an unknown address identically, and mails only the known one', async () => {
    await submitLead(t, 'riley@stone-ortho.example');
    await settle(t, smtp);
    const known = await askFor(t, { kind: 'access', email: 'riley@stone-ortho.example' });
    const unknown = await askFor(t, { kind: 'access', email: 'nobody@nowhere.example' });
    for (const res of [known, unknown]) {
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/privacy-center/sent');
      expect(res.body).toBe(known.body);
      expect(res.cookies.map((c) => c.name)).toEqual(known.cookies.map((c) => c.name));
    }
    const sent = await t.app.inject({ method: 'GET', url: '/privacy-center/sent' });
    expect(sent.body).toContain('If the address you entered is in our records');
    await settle(t, smtp);
    expect(mailsTo(smtp, 'riley@stone-ortho.example')).toHaveLength(1);
    expect(mailsTo(smtp, 'nobody@nowhere.example')).toHaveLength(0);
    // Both requests were stored the same way; the unknown one simply never gets a link.
    const rows = await t.db.selectFrom('privacy_requests').select(['status', 'email']).execute();
    expect(rows.map((r) => r.status)).toEqual(['unverified', 'unverified']);
    for (const r of rows) expect(r.email).not.toContain('@');
  });

  it('opens the report from the emailed link after the person confirms, once', async () => {
    const mail = mailsTo(smtp, 'riley@stone-ortho.example')[0]!;
    expect(mail.raw).not.toContain('Riley Stone');
    const link = linkIn(mail.raw);
    const confirm = await t.app.inject({ method: 'GET', url: link });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Confirm your request');
    // A mail scanner's GET changes nothing; the POST does.
    expect(
      (
        await t.db
          .selectFrom('privacy_requests')
          .select('status')
          .where('status', '=', 'verified')
          .execute()
      ).length,
    ).toBe(0);
    const post = await t.app.inject({ method: 'POST', url: link });
    expect(post.statusCode).toBe(303);
    const report = await t.app.inject({ method: 'GET', url: link });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('The information we hold about you');
    expect(report.body).toContain('Riley Stone');
    expect(report.body).toContain('Stone Orthopedics');
    expect(report.headers['cache-control']).toBe('no-store');
    const json = await t.app.inject({ method: 'GET', url: `${link}/report.json` });
    expect(json.statusCode).toBe(200);
    expect((JSON.parse(json.body) as { sections: unknown[] }).sections.length).toBeGreaterThan(0);
    expect(json.body).toContain('riley@stone-ortho.example');
    // Confirming again is refused quietly: the link is used; the report is still readable.
    const again = await t.app.inject({ method: 'POST', url: link });
    expect(again.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('privacy_requests')
      .select(['status', 'response', 'receipt_sent_at', 'verified_at'])
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      response: 'report_provided',
      receipt_sent_at: clock.now().toISOString(),
    });
    // The receipt (with the report link, never the data) goes at once.
    await settle(t, smtp);
    const receipt = mailsTo(smtp, 'riley@stone-ortho.example')[1]!;
    expect(receipt.raw).toContain('We received your privacy request');
    expect(linkIn(receipt.raw)).toBe(link);
    expect(receipt.raw).not.toContain('Stone Orthopedics');
    const audit = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'privacy_request')
      .execute();
    expect(audit.map((a) => (JSON.parse(a.detail ?? '{}') as { event?: string }).event)).toEqual(
      expect.arrayContaining(['received', 'verified', 'answered']),
    );
  });

  it('refuses links that are expired, malformed or made up, with a 404 page and no 500', async () => {
    await askFor(t, { kind: 'deletion', email: 'riley@stone-ortho.example' });
    await settle(t, smtp);
    const link = linkIn(mailsTo(smtp, 'riley@stone-ortho.example').at(-1)!.raw);
    clock.advance(25 * 3_600_000);
    for (const url of [
      link,
      '/privacy-center/r/short',
      `/privacy-center/r/${'A'.repeat(43)}`,
      `/privacy-center/r/${'x'.repeat(300)}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
    }
    const post = await t.app.inject({ method: 'POST', url: link });
    expect(post.statusCode).toBe(404);
    expect(post.body).toContain('The link has expired');
  });
});

describe('bad input', () => {
  it('re-renders the form with an actionable message and stores nothing', async () => {
    const before = (await t.db.selectFrom('privacy_requests').select('id').execute()).length;
    const res = await askFor(t, { kind: 'access', email: 'not-an-email' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Enter an email address like name@example.com.');
    const noKind = await askFor(t, { email: 'a@b.example' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.body).toContain('Choose what you would like us to do');
    const correction = await askFor(t, {
      kind: 'correction',
      email: 'a@b.example',
      correctionField: 'phone',
      correctionValue: '12',
    });
    expect(correction.statusCode).toBe(400);
    expect(correction.body).toContain('Enter a US phone number');
    const json = await t.app.inject({
      method: 'POST',
      url: '/privacy-center/request',
      payload: { kind: 'access', email: 'a@b.example', formToken: 'x', extra: 1 },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toBeTruthy();
    const forged = await t.app.inject({
      method: 'POST',
      url: '/privacy-center/request',
      payload: { kind: 'access', email: 'a@b.example', formToken: 'forged' },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error).toContain('reload the page');
    const huge = await t.app.inject({
      method: 'POST',
      url: '/privacy-center/request',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${'a'.repeat(70_000)}`,
    });
    expect(huge.statusCode).toBe(413);
    expect((await t.db.selectFrom('privacy_requests').select('id').execute()).length).toBe(before);
  });
});
