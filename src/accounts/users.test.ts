import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../privacy-center/testing.js';
import { TestClock, cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { startSmtp, type SmtpPeer } from '../test-support/smtp.js';
import {
  getAs,
  postForm,
  signInAgain,
  staffPassword,
  staffSessions,
  submitPageForm,
  type Jar,
} from '../test-support/staff.js';
import { disabledMessage } from './service.js';
import { linkPathFor } from './testing.js';

// /console/users against a real database and a real loopback SMTP server: invitations, role
// changes and disabling take effect at once, the last administrator stays, everything is audited.

let t: TestApp;
let smtp: SmtpPeer;
const clock = new TestClock();
let admin: { jar: Jar; id: string };
let adminAddress = '';
const adminEmail = () => adminAddress;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: smtp.url }, clock });
  admin = (await staffSessions(t, ['admin'])).admin!;
  adminAddress = (await userRow(admin.id)).email;
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const newPassword = 'a long new password 2026';
const person = async (role: 'sales' | 'marketing' | 'privacy' | 'admin' = 'sales') =>
  (await staffSessions(t, [role]))[role]!;
const userRow = (id: string) =>
  t.db
    .selectFrom('staff_users')
    .select(['role', 'disabled_at', 'invited_at', 'name', 'email'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const auditOf = (id: string) =>
  t.db
    .selectFrom('audit_log')
    .select(['action', 'actor_id', 'detail'])
    .where('target_id', '=', id)
    .orderBy('seq')
    .execute();
const sessionsOf = async (id: string) =>
  (await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', id).execute()).length;

async function invite(email: string, role = 'sales', name = 'Dana Reyes') {
  return postForm(t, admin.jar, '/console/users/invite', { name, email, role });
}

describe('the staff list', () => {
  it('lists name, email, role, status, last sign-in and second factor for admins', async () => {
    const other = await person('marketing');
    const res = await getAs(t, admin.jar, '/console/users');
    expect(res.statusCode).toBe(200);
    for (const heading of ['Name', 'Email', 'Role', 'Status', 'Last sign-in', 'Second factor'])
      expect(res.body).toContain(`<th scope="col">${heading}</th>`);
    expect(res.body).toContain(`/console/users/${other.id}`);
    // The administrator enrolled (their role requires it); marketing has not turned it on.
    const cell = (id: string) => {
      const row = res.body.slice(res.body.indexOf(`/console/users/${id}`));
      return row.slice(0, row.indexOf('</tr>'));
    };
    expect(cell(admin.id)).toContain('>On<');
    expect(cell(other.id)).toContain('>Off<');
    expect(res.body).toContain('href="/console/users" aria-current="page"');
  });
});

describe('invitations', () => {
  it('creates a pending account, mails a 72-hour link kept only as a hash, and lets the person set up once', async () => {
    const email = 'dana.reyes@example.test';
    const res = await invite(email, 'marketing');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/users?done=invited');
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, email, 'invite');
    const token = path.split('/').pop()!;
    // Neither the table nor the outbox holds the token itself.
    const stored = JSON.stringify(await t.db.selectFrom('setup_tokens').selectAll().execute());
    const queued = JSON.stringify(await t.db.selectFrom('outbox').selectAll().execute());
    expect(stored).not.toContain(token);
    expect(queued).not.toContain(token);
    const row = await t.db
      .selectFrom('staff_users')
      .select(['id', 'invited_at', 'role'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(row.invited_at).not.toBeNull();
    expect(row.role).toBe('marketing');
    // Pending: nobody can sign in to it yet.
    await expect(t.app.accounts.login(email, newPassword)).rejects.toThrow();

    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(email);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const { res: done } = await submitPageForm(t, path, {
      name: 'Dana R.',
      password: newPassword,
      passwordConfirm: newPassword,
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your account is ready');
    expect((await userRow(row.id)).invited_at).toBeNull();
    expect((await userRow(row.id)).name).toBe('Dana R.');
    expect((await t.app.accounts.login(email, newPassword)).user.role).toBe('marketing');

    // The same link again: a clear page, and nothing changes.
    const again = await t.app.inject({ method: 'GET', url: path });
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('This link is no longer valid');
    const actions = (await auditOf(row.id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['account_invited', 'invitation_accepted']));
  });

  it('refuses an expired invitation link and a tampered one, changing nothing', async () => {
    const email = 'late.lee@example.test';
    await invite(email);
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, email, 'invite');
    const last = path.at(-1) === 'A' ? 'B' : 'A';
    const tampered = path.slice(0, -1) + last;
    expect((await t.app.inject({ method: 'GET', url: tampered })).statusCode).toBe(404);
    clock.advance(72 * 3_600_000 + 60_000);
    const res = await t.app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Invitation links work once, for 72 hours');
    const row = await t.db
      .selectFrom('staff_users')
      .select(['invited_at', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(row.invited_at).not.toBeNull();
    // The admin's session went idle with the clock: sign in again for the tests that follow.
    admin = { ...admin, jar: await signInAgain(t, adminEmail()) };
  });

  it('sends a new invitation to a pending address, and refuses an address that has an account', async () => {
    const email = 'twice@example.test';
    await invite(email);
    await settle(t, smtp);
    const first = linkPathFor(smtp.received, email, 'invite');
    expect((await invite(email, 'privacy')).statusCode).toBe(303);
    await settle(t, smtp);
    const second = linkPathFor(smtp.received, email, 'invite');
    expect(second).not.toBe(first);
    expect((await t.app.inject({ method: 'GET', url: first })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: second })).statusCode).toBe(200);

    const taken = await invite(adminEmail());
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('A staff account with this email already exists');
  });

  it('shows refused input again beside its fields and stores nothing, NUL and control characters included', async () => {
    const before = await t.db.selectFrom('staff_users').select('id').execute();
    const cases: Record<string, string>[] = [
      { name: 'Ana\u0000', email: 'nul@example.test', role: 'sales' },
      { name: 'Ana', email: 'nul\u0000@example.test', role: 'sales' },
      { name: 'Ana\u0007Bell', email: 'bell@example.test', role: 'sales' },
      { name: 'Ana', email: 'not-an-email', role: 'sales' },
      { name: 'Ana', email: 'role@example.test', role: 'owner' },
      { name: '', email: '', role: '' },
    ];
    for (const fields of cases) {
      const res = await postForm(t, admin.jar, '/console/users/invite', fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(res.body).toContain('<h2 id="invite-h">Invite someone</h2>');
    }
    const owner = await postForm(t, admin.jar, '/console/users/invite', cases[4]);
    expect(owner.body).toContain('Choose a role: admin, sales, marketing, privacy.');
    expect(await t.db.selectFrom('staff_users').select('id').execute()).toHaveLength(before.length);
  });
});

describe('changing a role', () => {
  it('applies at once: their sessions end, and the new role is what they sign in with', async () => {
    const sales = await person('sales');
    expect((await getAs(t, sales.jar, '/console/leads')).statusCode).toBe(200);
    const res = await postForm(t, admin.jar, `/console/users/${sales.id}/role`, {
      role: 'marketing',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/console/users/${sales.id}?done=role`);
    expect(await sessionsOf(sales.id)).toBe(0);
    const old = await getAs(t, sales.jar, '/console/leads');
    expect(old.statusCode).toBe(303);
    expect(old.headers.location).toMatch(/^\/console\/login/);
    const { email } = await userRow(sales.id);
    const jar = { sid: (await t.app.accounts.login(email, staffPassword)).token };
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(403);
    expect((await getAs(t, jar, '/console/analytics')).statusCode).toBe(200);
    const entry = (await auditOf(sales.id)).find((a) => a.action === 'role_changed');
    expect(entry?.actor_id).toBe(admin.id);
    expect(JSON.parse(entry!.detail!)).toMatchObject({ from: 'sales', to: 'marketing' });
  });

  it('refuses a role that does not exist, naming the roles', async () => {
    const sales = await person('sales');
    const res = await postForm(t, admin.jar, `/console/users/${sales.id}/role`, { role: 'root' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose a role: admin, sales, marketing, privacy.');
    expect((await userRow(sales.id)).role).toBe('sales');
  });
});

describe('disabling and enabling', () => {
  it('asks once more, then ends every session at once and refuses sign-in with a clear message', async () => {
    const sales = await person('sales');
    const { email } = await userRow(sales.id);
    const confirm = await getAs(t, admin.jar, `/console/users/${sales.id}/disable`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('They are signed out at once, on every device.');
    expect(confirm.body).toContain('name="confirm" value="yes"');
    expect((await userRow(sales.id)).disabled_at).toBeNull();

    // Without the confirmation step's field, nothing happens.
    const unconfirmed = await postForm(t, admin.jar, `/console/users/${sales.id}/disable`, {});
    expect(unconfirmed.statusCode).toBe(400);
    expect((await userRow(sales.id)).disabled_at).toBeNull();

    const res = await postForm(t, admin.jar, `/console/users/${sales.id}/disable`, {
      confirm: 'yes',
    });
    expect(res.statusCode).toBe(303);
    expect(await sessionsOf(sales.id)).toBe(0);
    expect((await getAs(t, sales.jar, '/console/leads')).statusCode).toBe(303);
    const login = await submitPageForm(
      t,
      '/console/login',
      { email, password: staffPassword },
      '/console/login',
    );
    expect(login.res.statusCode).toBe(403);
    expect(login.res.body).toContain(disabledMessage);

    const enabled = await postForm(t, admin.jar, `/console/users/${sales.id}/enable`, {});
    expect(enabled.statusCode).toBe(303);
    expect((await t.app.accounts.login(email, staffPassword)).user.id).toBe(sales.id);
    const actions = (await auditOf(sales.id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['account_disabled', 'account_enabled']));
  });

  it('writes audit entries with ids and roles only, never a name or an email', async () => {
    const rows = await t.db.selectFrom('audit_log').select(['detail', 'target_id']).execute();
    const text = JSON.stringify(rows);
    expect(text).not.toContain('@example.test');
    expect(text).not.toContain('Dana');
  });
});

describe('sending a reset link from the console', () => {
  it('mails the person a link that works, and a new invitation to someone pending', async () => {
    const sales = await person('sales');
    const { email } = await userRow(sales.id);
    const res = await postForm(t, admin.jar, `/console/users/${sales.id}/send-link`, {});
    expect(res.headers.location).toBe(`/console/users/${sales.id}?done=reset`);
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, email, 'reset');
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const entry = (await auditOf(sales.id)).find((a) => a.action === 'password_reset_sent');
    expect(entry?.actor_id).toBe(admin.id);

    const pending = 'pending.pat@example.test';
    await invite(pending);
    await settle(t, smtp);
    const first = linkPathFor(smtp.received, pending, 'invite');
    const { id } = await t.db
      .selectFrom('staff_users')
      .select('id')
      .where('email', '=', pending)
      .executeTakeFirstOrThrow();
    const again = await postForm(t, admin.jar, `/console/users/${id}/send-link`, {});
    expect(again.headers.location).toBe(`/console/users/${id}?done=reinvited`);
    await settle(t, smtp);
    expect(linkPathFor(smtp.received, pending, 'invite')).not.toBe(first);
    expect((await t.app.inject({ method: 'GET', url: first })).statusCode).toBe(404);
  });

  it('refuses to send a link to a disabled account', async () => {
    const sales = await person('sales');
    await postForm(t, admin.jar, `/console/users/${sales.id}/disable`, { confirm: 'yes' });
    const res = await postForm(t, admin.jar, `/console/users/${sales.id}/send-link`, {});
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('This account is disabled. Enable it first');
  });
});

describe('hostile requests', () => {
  it('refuses every role but admin, whatever id it names', async () => {
    const others = await staffSessions(t, ['sales', 'marketing', 'privacy']);
    for (const [role, who] of Object.entries(others)) {
      for (const url of [
        `/console/users/${admin.id}/disable`,
        `/console/users/${admin.id}/role`,
        `/console/users/${who.id}/role`,
      ]) {
        const res = await postForm(t, who.jar, url, { confirm: 'yes', role: 'admin' });
        expect(res.statusCode, `${role} ${url}`).toBe(403);
      }
      expect((await getAs(t, who.jar, '/console/users')).statusCode).toBe(403);
      expect((await userRow(who.id)).role).toBe(role);
    }
    expect((await userRow(admin.id)).disabled_at).toBeNull();
  });

  it('answers 404 for an id that is no account', async () => {
    for (const id of ['x', '00000000-0000-4000-8000-000000000000', '%00']) {
      const res = await getAs(t, admin.jar, `/console/users/${id}`);
      expect([400, 404]).toContain(res.statusCode);
      const post = await postForm(t, admin.jar, `/console/users/${id}/enable`, {});
      expect([400, 404]).toContain(post.statusCode);
    }
  });

  it('refuses a post without the CSRF token, and one from another site', async () => {
    const sales = await person('sales');
    const noToken = await postForm(
      t,
      admin.jar,
      `/console/users/${sales.id}/disable`,
      { confirm: 'yes' },
      { csrf: false },
    );
    expect(noToken.statusCode).toBe(403);
    const crossSite = await t.app.inject({
      method: 'POST',
      url: `/console/users/${sales.id}/disable`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookieHeader(admin.jar),
        'sec-fetch-site': 'cross-site',
      },
      payload: 'confirm=yes',
    });
    expect(crossSite.statusCode).toBe(403);
    expect((await userRow(sales.id)).disabled_at).toBeNull();
  });
});

describe('the last active administrator', () => {
  let solo: TestApp;
  beforeAll(async () => {
    solo = await createTestApp();
  }, 60_000);
  afterAll(async () => solo.close());

  it('cannot disable or demote themselves; once another admin exists, demoting signs them out', async () => {
    const { admin: me } = await staffSessions(solo, ['admin']);
    const id = me!.id;
    // A pending invitation to an admin does not count: nobody can sign in with it yet.
    await postForm(solo, me!.jar, '/console/users/invite', {
      name: 'Future Admin',
      email: 'future@example.test',
      role: 'admin',
    });
    const demote = await postForm(solo, me!.jar, `/console/users/${id}/role`, { role: 'sales' });
    expect(demote.statusCode).toBe(409);
    expect(demote.body).toContain('This is the last active administrator');
    const disable = await postForm(solo, me!.jar, `/console/users/${id}/disable`, {
      confirm: 'yes',
    });
    expect(disable.statusCode).toBe(409);
    const row = await solo.db
      .selectFrom('staff_users')
      .select(['role', 'disabled_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'admin', disabled_at: null });

    await solo.app.accounts.createStaffUser({
      email: 'second@example.test',
      password: staffPassword,
      role: 'admin',
    });
    const now = await postForm(solo, me!.jar, `/console/users/${id}/role`, { role: 'sales' });
    expect(now.statusCode).toBe(303);
    expect(now.headers.location).toBe('/console/login');
    expect((await getAs(solo, me!.jar, '/console/users')).statusCode).toBe(303);
  });
});
