import { CONFIRMATION_SUBJECT } from '../intake/confirmation-mail.js';
import type { Clock } from '../adapters/clock.js';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { submitIntake } from '../test-support/intake.js';
import { startSmtp, type ReceivedMail } from '../test-support/smtp.js';

// Test helpers for the Privacy Center and the request queue (test files only).

/** The app with a real SMTP peer and a registered relay, so its mail reaches people. */
export async function appWithMail(clock: Clock, env: Record<string, string> = {}) {
  const smtp = await startSmtp();
  const t = await createTestApp({
    clock,
    env: { SMTP_URL: smtp.url, NOTIFY_EMAIL: 'leads@starspmb.test', ...env },
  });
  await registerRelay(t);
  const close = async () => {
    await t.close();
    await smtp.close();
  };
  return { t, smtp, close };
}

/** The mail relay registered for addresses, as an administrator does before mail reaches people. */
export async function registerRelay(t: Pick<TestApp, 'db' | 'clock'>): Promise<void> {
  const at = t.clock.now().toISOString();
  await t.db
    .insertInto('recipients')
    .values({
      id: 'relay-1',
      kind: 'processor',
      key: 'smtp-relay',
      name: 'Test Mail Relay',
      categories: JSON.stringify(['contact.email']),
      purpose: 'delivers our email',
      contract_ref: 'DPA-1',
      related_entity: 0,
      active: 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

/**
 * The Privacy Center's mail to this address, oldest first. The intake form also mails whoever
 * writes in (a confirmation, queued at the same instant of the test clock), so "the last mail"
 * alone would depend on the order the outbox happened to send them in.
 */
export const mailsTo = (smtp: { received: ReceivedMail[] }, email: string): ReceivedMail[] =>
  smtp.received.filter(
    (m) => m.to.includes(email) && !m.raw.includes(`Subject: ${CONFIRMATION_SUBJECT}`),
  );

/** The latest mail to this address from the Privacy Center. */
export function lastMailTo(smtp: { received: ReceivedMail[] }, email: string): ReceivedMail {
  const mail = mailsTo(smtp, email).at(-1);
  if (!mail) throw new Error(`no Privacy Center mail to ${email}`);
  return mail;
}

/** The Privacy Center link in a mail (quoted-printable soft breaks undone). */
export function linkIn(raw: string): string {
  const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  // Any origin: browser tests name their own port in BASE_URL.
  const m = /https?:\/\/[^/\s]+(\/privacy-center\/r\/[A-Za-z0-9_-]{43})/.exec(text);
  if (!m?.[1]) throw new Error(`no Privacy Center link in mail:\n${raw}`);
  return m[1];
}

/** A provider's lead with marketing consent, stored through the intake form. */
export const submitLead = (
  t: TestApp,
  email: string,
  phone = '(713) 555-0177',
  headers: Record<string, string> = {},
) => submitIntake(t, email, { phone, consentMarketing: 'on' }, headers);

/** Posts the Privacy Center request form as a browser would. */
export async function askFor(
  t: TestApp,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const page = await t.app.inject({ method: 'GET', url: '/privacy-center', headers });
  return t.app.inject({
    method: 'POST',
    url: '/privacy-center/request',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({
      ...fields,
      formToken: hiddenField(page.body, 'formToken'),
    }).toString(),
  });
}

/**
 * Sends what the outbox holds and waits until every job is sent: a commit also nudges the
 * worker, which may be sending concurrently with the run started here.
 */
export async function settle(t: TestApp, smtp?: { received: ReceivedMail[] }): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await t.app.outbox.runOnce();
    const pending = await t.db
      .selectFrom('outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .where('attempts', '=', 0)
      .execute();
    if (pending.length === 0) {
      // The SMTP peer records a message when its DATA ends, a moment after the send resolves.
      await new Promise((r) => setTimeout(r, smtp ? 30 : 0));
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('outbox did not settle');
}

/** A record that Global Privacy Control was applied to a lead's intake, as the form writes it. */
export async function addGpcApplication(t: TestApp, leadId: string, at: Date): Promise<void> {
  await t.db
    .insertInto('gpc_applications')
    .values({
      at: at.toISOString(),
      subject_kind: 'lead',
      subject_id: leadId,
      source: 'intake',
      overrode: 'none',
    })
    .execute();
}
