import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithMail, askFor, linkIn, settle, submitLead, lastMailTo } from './testing.js';
import { TestClock, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { getAs, staffJar, type Jar } from '../test-support/staff.js';

// Rights requests reach someone: a confirmed request that needs an answer notifies the privacy
// officers (admins when there are none) without naming anyone, and every console page they open
// starts with what is overdue or nearly due.

const DAY = 86_400_000;
const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
let smtp: SmtpPeer;
let t: TestApp;
let close: () => Promise<void>;
let admin: Jar;

beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
  admin = await staffJar(t, 'admin');
});
afterAll(() => close());

let phones = 0;
async function confirmedRequest(email: string, kind: string, more: Record<string, string> = {}) {
  clock.advance(60_000); // each request arrives a minute after the last
  await submitLead(t, email, `(713) 555-01${String(++phones).padStart(2, '0')}`);
  await askFor(t, { email, kind, ...more });
  await settle(t, smtp);
  const link = linkIn(lastMailTo(smtp, email).raw);
  expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(303);
  await settle(t, smtp);
  return t.db
    .selectFrom('privacy_requests')
    .select(['id', 'status'])
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
}

const noticesTo = (role: 'admin' | 'privacy') =>
  smtp.received.filter(
    (m) =>
      m.to.some((to) => to.startsWith(`${role}-`)) &&
      m.raw.includes('A new privacy request needs an answer'),
  );

describe('a new privacy request', () => {
  it('notifies the administrators while there is no privacy officer, naming no one', async () => {
    const request = await confirmedRequest('ana.deletes@clinic.example', 'deletion');
    expect(request.status).toBe('verified');
    const [notice] = noticesTo('admin');
    expect(notice, 'admin notified').toBeDefined();
    const raw = notice!.raw.replace(/=\r?\n/g, '');
    expect(raw).toContain(`/console/privacy/${request.id}`);
    expect(raw).toContain('January 15, 2027');
    for (const personal of [
      'ana.deletes',
      'Riley Stone',
      'Stone Orthopedics',
      'Pine Street',
      '555',
    ])
      expect(raw, personal).not.toContain(personal);
  });

  it('notifies the privacy officers once there are some, and not the administrators', async () => {
    await staffJar(t, 'privacy');
    const before = noticesTo('admin').length;
    await confirmedRequest('bo.corrects@clinic.example', 'correction', {
      correctionField: 'name',
      correctionValue: 'Bo Corrected',
    });
    expect(noticesTo('privacy')).toHaveLength(1);
    expect(noticesTo('admin')).toHaveLength(before);
  });

  it('sends nothing to staff for an access request, which the system answers itself', async () => {
    const before = smtp.received.length;
    const request = await confirmedRequest('cy.reads@clinic.example', 'access');
    expect(request.status).toBe('completed');
    const toStaff = smtp.received
      .slice(before)
      .filter((m) => m.raw.includes('A new privacy request needs an answer'));
    expect(toStaff).toEqual([]);
  });
});

describe('deadlines at the top of the console', () => {
  const alert = (html: string) =>
    /<p class="[^"]*deadline-alert[^"]*" role="status">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? null;

  it('say nothing while every request has time left', async () => {
    expect(alert((await getAs(t, admin, '/console/leads')).body)).toBeNull();
  });

  it('list requests due within 10 days, then overdue ones, to privacy staff on every screen', async () => {
    clock.advance(36 * DAY); // the two open requests are due in 9 days
    // Sessions end after 30 idle minutes: sign in again after each jump of the clock.
    const soon = alert((await getAs(t, await staffJar(t, 'privacy'), '/console/audit')).body);
    expect(soon).toContain('2 privacy requests are due within 10 days');
    expect(soon).toContain('href="/console/privacy"');
    const adminPage = await getAs(t, await staffJar(t, 'admin'), '/console/leads');
    expect(alert(adminPage.body)).toContain('due within 10 days');
    clock.advance(10 * DAY);
    const privacy = await staffJar(t, 'privacy');
    expect(alert((await getAs(t, privacy, '/console/privacy')).body)).toContain(
      '2 privacy requests are overdue',
    );
  });

  it('are not shown to roles that do not answer requests', async () => {
    for (const role of ['sales', 'marketing'] as const) {
      const jar = await staffJar(t, role);
      const home = role === 'sales' ? '/console/leads' : '/console/analytics';
      const page = await getAs(t, jar, home);
      expect(page.statusCode, role).toBe(200);
      expect(alert(page.body), role).toBeNull();
    }
  });
});
