import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookieHeader,
  cookieJar,
  createTestApp,
  hiddenField,
  testAuditKey,
  type TestApp,
} from '../test-support/app.js';
import {
  getAs,
  roleEmail,
  staffPassword,
  staffSessions,
  submitPageForm,
} from '../test-support/staff.js';
import { leadValues, sealedLead } from '../test-support/retention.js';
import { appendAudit } from './log.js';
import { verifyChain } from './verify.js';

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin', 'sales', 'marketing', 'privacy'], { email: roleEmail });
});
afterAll(async () => t.close());

const get = (url: string, role: string) => getAs(t, staff[role]!.jar, url);
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const entries = () => t.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
const last = async () => (await entries()).at(-1)!;

const postLogin = async (email: string, password: string) =>
  (await submitPageForm(t, '/console/login', { email, password })).res;

describe('what is recorded', () => {
  it('records account creation and sign-in, attributed by id', async () => {
    const rows = await entries();
    expect(rows.filter((r) => r.action === 'account_created')).toHaveLength(4);
    expect(rows.find((r) => r.action === 'account_created')).toMatchObject({
      actor_kind: 'system',
      actor_id: 'cli',
      target_type: 'staff_user',
      target_id: staff.admin!.id,
      detail: '{"role":"admin"}',
    });
    expect(rows.filter((r) => r.action === 'login').map((r) => r.actor_id)).toEqual(
      Object.values(staff).map((s) => s.id),
    );
  });

  it('records a failed sign-in on an unknown email as anonymous, without the typed email', async () => {
    const res = await postLogin('nobody-such@example.test', 'wrong password here');
    expect(res.statusCode).toBe(400);
    expect(await last()).toMatchObject({
      action: 'login_failed',
      actor_kind: 'anonymous',
      actor_id: null,
    });
    expect(JSON.stringify(await entries())).not.toContain('nobody-such');
  });

  it('records a failed sign-in on a staff email against that staff member', async () => {
    const res = await postLogin('sales@example.test', 'wrong password here');
    expect(res.statusCode).toBe(400);
    expect(await last()).toMatchObject({
      action: 'login_failed',
      actor_kind: 'staff',
      actor_id: staff.sales!.id,
    });
    expect(JSON.stringify(await entries())).not.toContain('sales@example.test');
  });

  it('records sign-out', async () => {
    const { token } = await t.app.accounts.login('marketing@example.test', staffPassword);
    const page = await t.app.inject({
      method: 'GET',
      // Marketing's console home (/console redirects here); it carries the sign-out form.
      url: '/console/analytics',
      headers: { cookie: `sid=${token}` },
    });
    const jar = cookieJar(page, { sid: token });
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
      payload: form({ _csrf: hiddenField(page.body, '_csrf') }),
    });
    expect(res.statusCode).toBe(303);
    expect(await last()).toMatchObject({
      action: 'logout',
      actor_kind: 'staff',
      actor_id: staff.marketing!.id,
    });
  });

  it('records a staff read of a lead with its purpose', async () => {
    const at = t.clock.now().toISOString();
    const lead = leadValues(randomUUID(), at, {
      name: 'Read Me',
      organization: 'Clinic',
      address: '1 Main St',
      city: 'Dallas',
      zip: '75201',
      email: 'readme@example.test',
      phone: '+12145550199',
      needs: 'Help.',
    });
    await t.db.insertInto('leads').values(sealedLead(t.kernel, lead)).execute();
    expect((await get(`/console/leads/${lead.id}`, 'sales')).statusCode).toBe(200);
    expect(await last()).toMatchObject({
      action: 'record_read',
      actor_kind: 'staff',
      actor_id: staff.sales!.id,
      target_type: 'lead',
      target_id: lead.id,
      purpose: 'service_request',
    });
  });

  it('records each person a lead list shows, so an incident review can find them', async () => {
    const res = await get('/console/leads', 'sales');
    expect(res.statusCode).toBe(200);
    const shown = await t.db.selectFrom('leads').select('id').execute();
    const reads = await t.db
      .selectFrom('audit_log')
      .select(['target_id', 'purpose', 'detail'])
      .where('action', '=', 'record_read')
      .where('detail', 'like', '%lead_list%')
      .execute();
    expect(shown.length).toBeGreaterThan(0);
    expect(reads.map((r) => r.target_id).sort()).toEqual(shown.map((r) => r.id).sort());
    expect(reads.every((r) => r.purpose === 'service_request')).toBe(true);
  });

  it('keeps the chain intact through all of it', async () => {
    expect(await verifyChain(t.db, testAuditKey)).toMatchObject({ ok: true });
  });
});

describe('/console/audit', () => {
  it.each(['admin', 'privacy'])('is open to %s, with a nav link', async (role) => {
    const res = await get('/console/audit', role);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/console/audit"');
    expect(res.body).toContain('Audit entries, newest first');
  });

  it.each(['sales', 'marketing'])('is refused to %s, and not in their nav', async (role) => {
    const res = await get('/console/audit', role);
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('href="/console/audit"');
  });

  it('sends someone signed out to sign in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console/audit' });
    expect(res.statusCode).toBe(303);
  });

  const seqs = (html: string) =>
    [...html.matchAll(/<td data-label="#">(\d+)<\/td>/g)].map((m) => Number(m[1]));

  it('lists newest first and filters by action, actor email, actor id and record id', async () => {
    const all = seqs((await get('/console/audit', 'admin')).body);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    const logins = await get('/console/audit?action=login', 'admin');
    expect(logins.body).not.toContain('data-label="Action">login failed<');
    expect(seqs(logins.body).length).toBeGreaterThanOrEqual(5);
    const byEmail = await get(
      '/console/audit?actor=Sales%40example.test&action=login_failed',
      'privacy',
    );
    expect(seqs(byEmail.body)).toHaveLength(1);
    expect(byEmail.body).toContain('sales@example.test');
    const byId = await get(
      `/console/audit?actor=${staff.sales!.id}&action=login_failed`,
      'privacy',
    );
    expect(seqs(byId.body)).toEqual(seqs(byEmail.body));
    const byTarget = await get(`/console/audit?target=${staff.privacy!.id}`, 'privacy');
    expect(seqs(byTarget.body)).toHaveLength(1);
    const unknown = await get('/console/audit?actor=ghost%40example.test', 'privacy');
    expect(unknown.body).toContain('No staff account has that email address');
    expect(seqs(unknown.body)).toEqual([]);
  });

  it('filters by date range, both days included', async () => {
    const today = t.clock.now().toISOString().slice(0, 10);
    expect(
      seqs((await get(`/console/audit?from=${today}&to=${today}`, 'admin')).body).length,
    ).toBeGreaterThan(0);
    expect(seqs((await get('/console/audit?from=2001-01-01&to=2001-12-31', 'admin')).body)).toEqual(
      [],
    );
  });

  it('pages by older and newer links', async () => {
    // 60 more entries so the log spans two pages of 50.
    for (let i = 0; i < 60; i++) {
      await appendAudit(
        t.db,
        { actor: { kind: 'system', name: 'test' }, action: 'export', detail: { i } },
        t.clock.now(),
      );
    }
    const first = await get('/console/audit', 'admin');
    const page1 = seqs(first.body);
    expect(page1).toHaveLength(50);
    const older = /href="([^"]*before=\d+[^"]*)"/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await get(older, 'admin');
    const page2 = seqs(second.body);
    expect(page2[0]).toBe(page1.at(-1)! - 1);
    const newer = /href="([^"]*after=\d+[^"]*)"/.exec(second.body)![1]!.replace(/&amp;/g, '&');
    expect(seqs((await get(newer, 'admin')).body)).toEqual(page1);
  });

  it.each([
    ['action=nonsense', 'Action must be one of'],
    ['from=2026-02-30', 'not a real calendar date'],
    ['to=yesterday', 'such as 2026-03-31'],
    ['from=2026-05-02&to=2026-05-01', 'is after the “to” date'],
    ['before=-3', 'whole number'],
  ])('answers bad input (%s) with 400 and a message', async (qs, message) => {
    const res = await get(`/console/audit?${qs}`, 'admin');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
  });
});
