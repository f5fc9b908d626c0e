import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TestClock,
  cookieJar,
  createTestApp,
  hiddenField,
  type TestApp,
} from '../test-support/app.js';
import { getAs, postForm, submitPageForm, type Jar } from '../test-support/staff.js';
import { enrolmentInvalidMessage, wrongCodeMessage } from './second-factor.js';
import { signInAgainMessage } from './staff-sessions.js';
import { totpCode } from './totp.js';

// TOTP second factor through the pages, with codes computed (RFC 6238) from the test clock.

const clock = new TestClock();
let t: TestApp;
const password = 'correct horse battery staple';
const ENROL = '/console/account/two-factor/enrol';

beforeAll(async () => {
  t = await createTestApp({ clock });
  await t.app.accounts.createStaffUser({ email: 'admin@example.test', password, role: 'admin' });
  await t.app.accounts.createStaffUser({ email: 'sales@example.test', password, role: 'sales' });
});
afterAll(async () => t.close());

const login = (email: string) => submitPageForm(t, '/console/login', { email, password });
// The forms below are posted with the CSRF token each test chooses to send, or leaves out.
const post = (url: string, jar: Jar, fields: Record<string, string>) =>
  postForm(t, jar, url, fields, { csrf: false });
const secretOf = (html: string) => /data-secret="([A-Z2-7]+)"/.exec(html)?.[1] ?? '';
const accountId = async (email: string) =>
  (
    await t.db
      .selectFrom('staff_users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
  ).id;
const totpRow = async (email: string) =>
  t.db
    .selectFrom('account_totp')
    .select(['secret', 'confirmed_at'])
    .where('account_id', '=', await accountId(email))
    .executeTakeFirst();

let adminSecret = '';
let recoveryCodes: string[] = [];

describe('enrolment required for an administrator', () => {
  it('sends the admin to set up a second factor before anything else', async () => {
    const { res, jar } = await login('admin@example.test');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(ENROL);
    const leads = await getAs(t, jar, '/console/leads');
    expect(leads.statusCode).toBe(303);
    expect(leads.headers.location).toBe(ENROL);
  });

  it('shows a QR code and the secret, refuses a wrong code and a tampered page, and confirms with the right code', async () => {
    const { jar } = await login('admin@example.test');
    const page = await getAs(t, jar, ENROL);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('src="data:image/svg+xml;base64,');
    const secret = secretOf(page.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Sealed at rest by the kernel: the secret is nowhere in the row as text.
    const stored = await totpRow('admin@example.test');
    expect(stored?.secret.startsWith('enc1.')).toBe(true);
    expect(stored?.secret).not.toContain(secret);
    const enrolment = hiddenField(page.body, 'enrolment');
    const form = { _csrf: hiddenField(page.body, '_csrf'), enrolment };
    const pageJar = cookieJar(page, { ...jar });

    const wrong = await post(ENROL, pageJar, {
      ...form,
      code: totpCode(secret, new Date(clock.now().getTime() + 600_000)),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain(wrongCodeMessage);
    expect(secretOf(wrong.body)).toBe(secret);

    const flipped = enrolment.slice(0, -1) + (enrolment.endsWith('A') ? 'B' : 'A');
    const tampered = await post(ENROL, pageJar, {
      ...form,
      enrolment: flipped,
      code: totpCode(secret, clock.now()),
    });
    expect(tampered.statusCode).toBe(404);
    expect(tampered.body).toContain(enrolmentInvalidMessage.slice(0, 40));
    expect((await totpRow('admin@example.test'))?.confirmed_at).toBeNull();

    const noCsrf = await post(ENROL, pageJar, { enrolment, code: totpCode(secret, clock.now()) });
    expect(noCsrf.statusCode).toBe(403);
    expect((await totpRow('admin@example.test'))?.confirmed_at).toBeNull();

    const ok = await post(ENROL, pageJar, { ...form, code: totpCode(secret, clock.now()) });
    expect(ok.statusCode).toBe(200);
    recoveryCodes = [...ok.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map(
      (m) => m[1]!,
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    // The session was renewed: the token from before enrolment is dead, the new one works.
    const renewed = ok.cookies.find((c) => c.name === 'sid')!.value;
    expect(renewed).not.toBe(jar.sid);
    expect((await getAs(t, jar, '/console/leads')).statusCode).toBe(303);
    expect((await getAs(t, { sid: renewed }, '/console/leads')).statusCode).toBe(200);
    // Recovery codes are kept as keyed hashes only.
    const hashes = await t.db
      .selectFrom('account_recovery_codes')
      .select('code_hash')
      .where('account_id', '=', await accountId('admin@example.test'))
      .execute();
    expect(hashes).toHaveLength(10);
    for (const { code_hash } of hashes) {
      for (const c of recoveryCodes) expect(code_hash).not.toContain(c.replace('-', ''));
    }
    // Used once: the same page cannot confirm again.
    const again = await post(ENROL, pageJar, { ...form, code: totpCode(secret, clock.now()) });
    expect(again.statusCode).not.toBe(200);
    adminSecret = secret;
  });
});

describe('signing in with a second factor', () => {
  const codeStep = async () => {
    const { res, jar } = await login('admin@example.test');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/login/code');
    const page = await getAs(t, jar, '/console/login/code');
    expect(page.statusCode).toBe(200);
    const pageJar = cookieJar(page, { ...jar });
    return { jar: pageJar, csrf: hiddenField(page.body, '_csrf') };
  };
  const sendCode = (step: { jar: Jar; csrf: string }, code: string) =>
    post('/console/login/code', step.jar, { _csrf: step.csrf, code });

  it('asks for the code after the password, lets nothing else in before, and renews the session id', async () => {
    clock.advance(60_000);
    const step = await codeStep();
    const early = await getAs(t, step.jar, '/console/leads');
    expect(early.statusCode).toBe(303);
    expect(early.headers.location).toBe('/console/login/code');
    const res = await sendCode(step, totpCode(adminSecret, clock.now()));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console');
    const sid = res.cookies.find((c) => c.name === 'sid')!.value;
    expect(sid).not.toBe(step.jar.sid);
    expect((await getAs(t, { sid }, '/console/leads')).statusCode).toBe(200);
    expect((await getAs(t, step.jar, '/console/leads')).statusCode).toBe(303);
  });

  it('refuses a code already used, even in a new sign-in within the same 30 seconds', async () => {
    const used = totpCode(adminSecret, clock.now());
    const step = await codeStep();
    const replay = await sendCode(step, used);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain(wrongCodeMessage);
    clock.advance(30_000);
    const next = await sendCode(step, totpCode(adminSecret, clock.now()));
    expect(next.statusCode).toBe(303);
  });

  it('accepts each recovery code once', async () => {
    const code = recoveryCodes[0]!;
    const first = await sendCode(await codeStep(), code.toUpperCase());
    expect(first.statusCode).toBe(303);
    const second = await sendCode(await codeStep(), code);
    expect(second.statusCode).toBe(400);
    const other = await sendCode(await codeStep(), recoveryCodes[1]!);
    expect(other.statusCode).toBe(303);
  });

  it('ends the sign-in after five wrong codes, and the right one no longer helps', async () => {
    clock.advance(30_000);
    const step = await codeStep();
    const wrong = totpCode(adminSecret, new Date(clock.now().getTime() + 3600_000));
    for (let i = 0; i < 4; i++) expect((await sendCode(step, wrong)).statusCode).toBe(400);
    const fifth = await sendCode(step, wrong);
    expect(fifth.statusCode).toBe(403);
    expect(fifth.body).toContain(signInAgainMessage);
    const late = await sendCode(step, totpCode(adminSecret, clock.now()));
    expect(late.statusCode).toBe(403);
    // Wrong codes count like wrong passwords: this source is paused for this account.
    const paused = await login('admin@example.test');
    expect(paused.res.statusCode).toBe(400);
    clock.advance(16 * 60_000);
  });

  it('refuses a code post without the CSRF token, and NUL or control characters with a 400', async () => {
    clock.advance(30_000);
    const step = await codeStep();
    const code = totpCode(adminSecret, clock.now());
    const noCsrf = await post('/console/login/code', step.jar, { code });
    expect(noCsrf.statusCode).toBe(403);
    for (const bad of ['12\u000034', '\u0007\u0008', 'x'.repeat(41)]) {
      const res = await sendCode(step, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await sendCode(step, code)).statusCode).toBe(303);
  });

  it('sends the code page to the password without a sign-in in progress', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console/login/code' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/login');
  });
});

describe('optional second factor', () => {
  it('lets a sales member in with the password, turn two-step sign-in on from their account page, and off again', async () => {
    const { res, jar } = await login('sales@example.test');
    expect(res.headers.location).toBe('/console');
    const account = await getAs(t, jar, '/console/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('Set up two-step sign-in');

    const page = await getAs(t, jar, ENROL);
    const secret = secretOf(page.body);
    const pageJar = cookieJar(page, { ...jar });
    const on = await post(ENROL, pageJar, {
      _csrf: hiddenField(page.body, '_csrf'),
      enrolment: hiddenField(page.body, 'enrolment'),
      code: totpCode(secret, clock.now()),
    });
    expect(on.statusCode).toBe(200);
    const sid = on.cookies.find((c) => c.name === 'sid')!.value;
    const onPage = await getAs(t, { ...pageJar, sid }, '/console/account');
    expect(onPage.body).toContain('10 of 10 recovery codes left');

    clock.advance(30_000);
    const withCode = await login('sales@example.test');
    expect(withCode.res.headers.location).toBe('/console/login/code');

    const off = await post(
      '/console/account/two-factor/disable',
      cookieJar(onPage, { ...pageJar, sid }),
      {
        _csrf: hiddenField(onPage.body, '_csrf'),
      },
    );
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe('/console/account?done=off');
    expect(await totpRow('sales@example.test')).toBeUndefined();
    expect((await login('sales@example.test')).res.headers.location).toBe('/console');
  });

  it('refuses to turn it off for a role that requires it', async () => {
    clock.advance(30_000);
    const { jar } = await login('admin@example.test');
    const page = await getAs(t, jar, '/console/login/code');
    const pageJar = cookieJar(page, { ...jar });
    const done = await post('/console/login/code', pageJar, {
      _csrf: hiddenField(page.body, '_csrf'),
      code: totpCode(adminSecret, clock.now()),
    });
    const sid = done.cookies.find((c) => c.name === 'sid')!.value;
    const account = await getAs(t, { ...pageJar, sid }, '/console/account');
    expect(account.body).toContain('cannot be turned off');
    const off = await post(
      '/console/account/two-factor/disable',
      cookieJar(account, { ...pageJar, sid }),
      {
        _csrf: hiddenField(account.body, '_csrf'),
      },
    );
    expect(off.statusCode).toBe(409);
    expect((await totpRow('admin@example.test'))?.confirmed_at).toBeTruthy();
  });
});

describe('cross-site posts', () => {
  it('refuses a code or an enrolment posted from another site', async () => {
    for (const url of ['/console/login/code', ENROL]) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'cross-site',
        },
        payload: 'code=123456',
      });
      expect(res.statusCode, url).toBe(403);
    }
  });
});
