import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock, createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { getAs, postForm, submitPageForm } from '../test-support/staff.js';
import { loginFailedMessage } from './service.js';

const clock = new TestClock();
let t: TestApp;
const password = 'correct horse battery staple';

beforeAll(async () => {
  t = await createTestApp({ clock });
  await t.app.accounts.createStaffUser({ email: 'Sales@Example.test ', password, role: 'sales' });
  await t.app.accounts.createStaffUser({ email: 'gone@example.test', password, role: 'sales' });
});
afterAll(async () => t.close());

// The session table holds a SHA-256 of each token, computed here apart from the code under test.
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const storedSession = (token: string) =>
  t.db
    .selectFrom('sessions')
    .select('id_hash')
    .where('id_hash', '=', hashOf(token))
    .executeTakeFirst();

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Signs in through the login page, as a browser would; returns the answer and the cookies. */
const postLogin = (fields: Record<string, string>, query = '') =>
  submitPageForm(t, `/console/login${query}`, fields, '/console/login');

describe('login page', () => {
  it('is labelled, carries a CSRF token and is not indexed', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console/login' });
    expect(res.body).toContain('<label for="email">');
    expect(res.body).toContain('<label for="password">');
    expect(res.body).toContain('name="robots" content="noindex');
    expect(res.body).toMatch(/href="\/static\/console\.[0-9a-f]{10}\.css"/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(hiddenField(res.body, '_csrf')).toBeTruthy();
  });
});

describe('signing in', () => {
  it('accepts the right password with any email case, sets an httpOnly session cookie and stores only its hash', async () => {
    const { res } = await postLogin({ email: '  SALES@example.test', password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console');
    const sid = res.cookies.find((c) => c.name === 'sid');
    expect(sid?.httpOnly).toBe(true);
    expect(sid?.sameSite).toBe('Lax');
    expect(sid?.secure).toBeFalsy();
    const rows = await t.db.selectFrom('sessions').select(['id_hash']).execute();
    expect(rows.map((r) => r.id_hash)).toContain(hashOf(sid!.value));
    expect(rows.map((r) => r.id_hash)).not.toContain(sid!.value);
  });

  it('returns to a safe console path given as next, and ignores anything else', async () => {
    const ok = await postLogin({
      email: 'sales@example.test',
      password,
      next: '/console/leads?status=new',
    });
    expect(ok.res.headers.location).toBe('/console/leads?status=new');
    for (const next of [
      '//evil.example/console',
      'https://evil.example/console',
      '/privacy',
      '/console\\@evil',
    ]) {
      const { res } = await postLogin({ email: 'sales@example.test', password, next });
      expect(res.headers.location, next).toBe('/console');
    }
  });

  it('keeps next from the login URL in the form', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/console/login?next=%2Fconsole%2Fleads%2Fabc',
    });
    expect(hiddenField(res.body, 'next')).toBe('/console/leads/abc');
  });

  it('refuses a wrong password and an unknown email with the same message, keeping the email', async () => {
    const wrong = await postLogin({
      email: 'sales@example.test',
      password: 'not the password at all',
    });
    const unknown = await postLogin({
      email: 'nobody@example.test',
      password: 'not the password at all',
    });
    for (const { res } of [wrong, unknown]) {
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(loginFailedMessage);
      expect(res.body).not.toMatch(/no account|not found|unknown/i);
      expect(res.cookies.find((c) => c.name === 'sid')).toBeUndefined();
      expect(res.body).not.toContain('not the password at all');
    }
    expect(wrong.res.body).toContain('value="sales@example.test"');
    await postLogin({ email: 'sales@example.test', password }); // resets the failure count
  });

  it('re-renders missing fields with errors tied to the inputs', async () => {
    const { res } = await postLogin({ email: '', password: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="email"[^>]*aria-invalid="true"[^>]*aria-describedby="email-error"/,
    );
    expect(res.body).toContain('id="password-error"');
  });

  it('refuses a post without the CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ email: 'sales@example.test', password }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.cookies.find((c) => c.name === 'sid')).toBeUndefined();
  });
});

describe('disabled accounts', () => {
  it('are refused with the right password, and look like any failure with a wrong one', async () => {
    await t.db
      .updateTable('staff_users')
      .set({ disabled_at: clock.now().toISOString() })
      .where('email', '=', 'gone@example.test')
      .execute();
    const right = await postLogin({ email: 'gone@example.test', password });
    expect(right.res.statusCode).toBe(403);
    expect(right.res.body).toContain('disabled');
    const wrong = await postLogin({ email: 'gone@example.test', password: 'wrong password here' });
    expect(wrong.res.body).toContain(loginFailedMessage);
  });
});

describe('sessions', () => {
  it('let a signed-in member in and send everyone else to the login page', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/console/leads?status=new' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(
      '/console/login?next=%2Fconsole%2Fleads%3Fstatus%3Dnew',
    );
    const { jar } = await postLogin({ email: 'sales@example.test', password });
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(200);
  });

  it('end after 15 idle minutes for staff, but activity keeps them alive', async () => {
    const { jar } = await postLogin({ email: 'sales@example.test', password });
    clock.advance(14 * 60_000);
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(200);
    clock.advance(14 * 60_000 + 59_000);
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(200);
    clock.advance(15 * 60_000);
    const res = await getAs(t, jar, '/console/leads');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/console\/login/);
    expect(await storedSession(jar.sid!)).toBeUndefined();
  });

  it('end 12 hours after sign-in however active the member is', async () => {
    const { jar } = await postLogin({ email: 'sales@example.test', password });
    for (let i = 0; i < 51; i++) {
      clock.advance(14 * 60_000);
      expect(
        (await getAs(t, jar, '/console/leads')).statusCode,
        `after ${(i + 1) * 14} minutes`,
      ).toBe(200);
    }
    clock.advance(14 * 60_000);
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(303);
  });

  it('are revoked by logging out, which needs the CSRF token', async () => {
    const { jar } = await postLogin({ email: 'sales@example.test', password });
    const page = await getAs(t, jar, '/console/leads');
    const csrf = hiddenField(page.body, '_csrf');
    const logout = (fields: Record<string, string>) =>
      postForm(t, jar, '/console/logout', fields, { csrf: false });
    expect((await logout({})).statusCode).toBe(403);
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(200);

    const res = await logout({ _csrf: csrf });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/login');
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(303);
    expect(await storedSession(jar.sid!)).toBeUndefined();
  });

  it('ignore made-up tokens', async () => {
    expect((await getAs(t, { sid: 'x'.repeat(43) }, '/console/leads')).statusCode).toBe(303);
    expect((await getAs(t, { sid: "' or 1=1 --" }, '/console/leads')).statusCode).toBe(303);
  });

  it('send a signed-in member who opens the login page on to the console', async () => {
    const { jar } = await postLogin({ email: 'sales@example.test', password });
    const res = await getAs(t, jar, '/console/login');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console');
  });
});

describe('rate limit', () => {
  it('answers 429 after LOGIN_RATE_LIMIT posts from one address', async () => {
    const limited = await createTestApp({ env: { LOGIN_RATE_LIMIT: '2' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/console/login',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: form({ email: 'a@example.test', password: 'whatever it is' }),
        });
        statuses.push(res.statusCode);
        if (i === 2) expect(res.body).toContain('Too many sign-in attempts');
      }
      expect(statuses).toEqual([403, 403, 429]);
    } finally {
      await limited.close();
    }
  });
});
