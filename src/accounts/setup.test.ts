import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TestClock,
  cookieHeader,
  cookieJar,
  createTestApp,
  hiddenField,
  type TestApp,
} from '../test-support/app.js';
import { enrolSecondFactor, submitPageForm } from '../test-support/staff.js';

const clock = new TestClock();
let t: TestApp | undefined;

// Each case needs an installation with no staff yet, so each gets its own database.
beforeEach(async () => {
  await t?.close();
  t = await createTestApp({ clock });
});
afterAll(async () => t?.close());

const app = () => t!.app;
const pathOf = (link: string) => new URL(link).pathname;

const submit = async (path: string, fields: Record<string, string>) =>
  (await submitPageForm(t!, path, fields)).res;

const admin = {
  email: 'Owner@Example.test',
  password: 'a long enough passphrase',
  passwordConfirm: 'a long enough passphrase',
};

describe('first-run setup link', () => {
  it('is offered only while no staff account exists', async () => {
    expect(await app().accounts.hasStaff()).toBe(false);
    const link = await app().accounts.firstRunSetupLink('http://localhost:3000/');
    expect(link).toMatch(/^http:\/\/localhost:3000\/setup\/[A-Za-z0-9_-]{43}$/);
    const stored = await t!.db
      .selectFrom('setup_tokens')
      .select(['token_hash', 'expires_at'])
      .execute();
    expect(stored).toHaveLength(1);
    expect(link).not.toContain(stored[0]!.token_hash);
    expect(stored[0]!.expires_at).toBe(new Date(clock.now().getTime() + 3600_000).toISOString());

    await app().accounts.createStaffUser({
      email: 'x@example.test',
      password: 'another long password',
      role: 'sales',
    });
    expect(await app().accounts.firstRunSetupLink('http://localhost:3000')).toBeNull();
  });

  it('creates the first admin once, sends them to set up a second factor, and is dead afterwards', async () => {
    const path = pathOf((await app().accounts.firstRunSetupLink('http://localhost:3000'))!);
    const form = await app().inject({ method: 'GET', url: path });
    expect(form.body).toContain('<label for="passwordConfirm">');
    expect(form.headers['cache-control']).toBe('no-store');

    const res = await submit(path, admin);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/account/two-factor/enrol');
    const sid = res.cookies.find((c) => c.name === 'sid')!;
    // Nothing else before the second factor: the console sends them back to its setup.
    const blocked = await app().inject({
      method: 'GET',
      url: '/console/leads',
      headers: { cookie: `sid=${sid.value}` },
    });
    expect(blocked.statusCode).toBe(303);
    expect(blocked.headers.location).toBe('/console/account/two-factor/enrol');
    const token = await enrolSecondFactor(t!, sid.value);
    const leads = await app().inject({
      method: 'GET',
      url: '/console/leads',
      headers: { cookie: `sid=${token}` },
    });
    expect(leads.statusCode).toBe(200);

    const users = await t!.db
      .selectFrom('staff_users')
      .select(['email', 'role', 'password_hash'])
      .execute();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: 'owner@example.test', role: 'admin' });
    expect(users[0]!.password_hash).toMatch(/^\$argon2id\$/);

    const again = await app().inject({ method: 'GET', url: path });
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('no longer valid');
    expect(again.body).toContain('npx starspmb user create');
    expect(again.body).toContain('restart the server');
  });

  it('refuses a second use even when the form was already open', async () => {
    const path = pathOf((await app().accounts.firstRunSetupLink('http://localhost:3000'))!);
    const page = await app().inject({ method: 'GET', url: path });
    const jar = cookieJar(page);
    const post = (email: string) =>
      app().inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
        payload: new URLSearchParams({
          ...admin,
          email,
          _csrf: hiddenField(page.body, '_csrf'),
        }).toString(),
      });
    expect((await post('first@example.test')).statusCode).toBe(303);
    expect((await post('second@example.test')).statusCode).toBe(404);
    const users = await t!.db.selectFrom('staff_users').select('email').execute();
    expect(users.map((u) => u.email)).toEqual(['first@example.test']);
  });

  it('expires after one hour', async () => {
    const path = pathOf((await app().accounts.firstRunSetupLink('http://localhost:3000'))!);
    clock.advance(59 * 60_000);
    expect((await app().inject({ method: 'GET', url: path })).statusCode).toBe(200);
    clock.advance(61_000);
    expect((await app().inject({ method: 'GET', url: path })).statusCode).toBe(404);
    await expect(app().accounts.completeSetup(path.split('/').pop()!, admin)).rejects.toMatchObject(
      { status: 404 },
    );
    expect(await app().accounts.hasStaff()).toBe(false);
  });

  it('shows a friendly page for a made-up token', async () => {
    for (const token of ['nope', 'A'.repeat(43)]) {
      const res = await app().inject({ method: 'GET', url: `/setup/${token}` });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('This setup link is no longer valid');
    }
  });

  it('re-renders the form with field errors, keeping the email and dropping passwords', async () => {
    const path = pathOf((await app().accounts.firstRunSetupLink('http://localhost:3000'))!);
    const res = await submit(path, {
      email: 'not-an-email',
      password: 'short',
      passwordConfirm: 'different',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toMatch(/id="email"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('Use at least 12 characters.');
    expect(res.body).toContain('The two passwords do not match.');
    expect(res.body).not.toContain('value="short"');
    expect(await app().accounts.hasStaff()).toBe(false);
    // The link still works after a mistake.
    expect((await submit(path, admin)).statusCode).toBe(303);
  });

  it('refuses a post without the CSRF token', async () => {
    const path = pathOf((await app().accounts.firstRunSetupLink('http://localhost:3000'))!);
    const res = await app().inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(admin).toString(),
    });
    expect(res.statusCode).toBe(403);
    expect(await app().accounts.hasStaff()).toBe(false);
  });
});
