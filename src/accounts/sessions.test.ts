import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TestClock,
  cookieHeader,
  createTestApp,
  hiddenField,
  type TestApp,
} from '../test-support/app.js';
import {
  enrolWithSecret,
  getAs,
  postForm,
  staffPassword,
  submitPageForm,
  type Jar,
} from '../test-support/staff.js';
import { cookies } from '../privacy/policy.js';
import { sessionPurger } from '../retention/purgers/sessions.js';
import { createSessionStore, hashToken, sessionCookie } from './sessions-store.js';
import { wrongPasswordMessage } from './staff-sessions.js';
import { totpCode } from './totp.js';

// Sessions: renewed at sign-in, idle limits per kind of account, the "your sessions" page, and
// step-up before sensitive actions, with the test clock.

const clock = new TestClock();
let t: TestApp;
const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0';
const iphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  t = await createTestApp({ clock });
  for (const [email, role] of [
    ['ann@example.test', 'sales'],
    ['bob@example.test', 'sales'],
    ['ada@example.test', 'admin'],
  ] as const) {
    await t.app.accounts.createStaffUser({ email, password: staffPassword, role });
  }
});
afterAll(async () => t.close());

const signIn = async (email: string, userAgent?: string): Promise<Jar> => ({
  sid: (await t.app.accounts.login(email, staffPassword, { userAgent })).token,
});
const works = async (jar: Jar) => (await getAs(t, jar, '/console/leads')).statusCode === 200;

describe('the session cookie', () => {
  it('is __Host-sid, Secure, HttpOnly and SameSite=Lax over HTTPS, and plain sid on http', () => {
    const https = sessionCookie({ baseUrl: 'https://www.example.test' });
    expect(https.name).toBe('__Host-sid');
    expect(https.options).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
    });
    const http = sessionCookie({ baseUrl: 'http://localhost:3000' });
    expect(http.name).toBe('sid');
    expect(http.options.secure).toBe(false);
    // The cookie list (/cookies, /privacy) names both, so no deployment understates it.
    const listed = cookies.find((c) => c.name === http.name)!;
    expect(listed.purpose).toContain(https.name);
  });

  it('gets a new id at sign-in: a token the browser held before stops working', async () => {
    const planted = await signIn('ann@example.test');
    const form = await t.app.inject({ method: 'GET', url: '/console/login' });
    const jar = { ...planted, _csrf: form.cookies.find((c) => c.name === '_csrf')!.value };
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
      payload: new URLSearchParams({
        _csrf: hiddenField(form.body, '_csrf'),
        email: 'ann@example.test',
        password: staffPassword,
      }).toString(),
    });
    expect(res.statusCode).toBe(303);
    const sid = res.cookies.find((c) => c.name === 'sid')!.value;
    expect(sid).not.toBe(planted.sid);
    expect(await works({ sid })).toBe(true);
    expect(await works(planted)).toBe(false);
  });
});

describe('idle limits per kind of account', () => {
  it('logs staff off after 15 idle minutes and other kinds after 30', async () => {
    const staff = createSessionStore({ db: t.db, clock, kind: 'staff' });
    const client = createSessionStore({ db: t.db, clock, kind: 'client' });
    // Sessions name their account by id; a staff member's id stands in for a client's here.
    const someone = (await t.app.accounts.login('ann@example.test', staffPassword)).user.id;
    const s = await staff.start(someone, { stage: 'active' });
    const c = await client.start(someone, { stage: 'active' });
    clock.advance(14 * 60_000 + 59_000);
    expect(await staff.find(s)).not.toBeNull();
    clock.advance(15 * 60_000);
    expect(await staff.find(s)).toBeNull();
    expect(await client.find(c)).not.toBeNull();
    clock.advance(30 * 60_000);
    expect(await client.find(c)).toBeNull();
    // A token of one kind opens nothing of another.
    const other = await client.start(someone, { stage: 'active' });
    expect(await staff.find(other)).toBeNull();
  });

  it('are what the retention purger deletes by: a staff session at 15 idle minutes, another kind at 30', async () => {
    const staff = createSessionStore({ db: t.db, clock, kind: 'staff' });
    const client = createSessionStore({ db: t.db, clock, kind: 'client' });
    const someone = (await t.app.accounts.login('bob@example.test', staffPassword)).user.id;
    const s = await staff.start(someone, { stage: 'active' });
    const c = await client.start(someone, { stage: 'active' });
    const alive = async () =>
      (await t.db.selectFrom('sessions').select('id_hash').execute()).map((r) => r.id_hash);
    expect(await sessionPurger.nextDue(t.db, clock.now())).toEqual(
      new Date(clock.now().getTime() + 15 * 60_000),
    );
    clock.advance(16 * 60_000);
    await sessionPurger.purgeChunk(t.db, clock.now(), 1000);
    expect(await alive()).not.toContain(hashToken(s));
    expect(await alive()).toContain(hashToken(c));
    clock.advance(15 * 60_000);
    await sessionPurger.purgeChunk(t.db, clock.now(), 1000);
    expect(await alive()).not.toContain(hashToken(c));
  });
});

describe('your sessions page', () => {
  it('lists the devices signed in, marks this one, and signs out another or all others', async () => {
    const here = await signIn('ann@example.test', firefox);
    const phone = await signIn('ann@example.test', iphone);
    const third = await signIn('ann@example.test');
    const page = await getAs(t, here, '/console/account/sessions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Firefox 120 on Windows (desktop)');
    expect(page.body).toContain('Safari 17 on iOS (mobile)');
    expect(page.body).not.toContain(firefox);
    expect(page.body.match(/\(this session\)/g)).toHaveLength(1);
    expect(page.body).toMatch(/Firefox 120 on Windows \(desktop\)<strong> \(this session\)/);

    const phoneRow = page.body.split('<tr>').find((row) => row.includes('Safari 17'))!;
    const phoneRef = /name="session" value="([0-9a-f]{32})"/.exec(phoneRow)![1]!;
    const res = await postForm(t, here, '/console/account/sessions/revoke', { session: phoneRef });
    expect(res.statusCode).toBe(303);
    expect(await works(phone)).toBe(false);
    expect(await works(third)).toBe(true);
    expect(await works(here)).toBe(true);

    const others = await postForm(t, here, '/console/account/sessions/revoke-others');
    expect(others.statusCode).toBe(303);
    expect(await works(third)).toBe(false);
    expect(await works(here)).toBe(true);
  });

  it('cannot end another member’s session, and refuses posts without CSRF or with bad input', async () => {
    const ann = await signIn('ann@example.test');
    const bob = await signIn('bob@example.test');
    // Bob's reference for his session, as his own page would name it to him.
    const bobState = (await t.app.accounts.sessionState(bob.sid))!;
    const list = await t.app.accounts.sessions.list(bobState.user.id, bobState.session);
    const ref = list.find((s) => s.current)!.ref;
    const res = await postForm(t, ann, '/console/account/sessions/revoke', { session: ref });
    expect(res.statusCode).toBe(404);
    expect(await works(bob)).toBe(true);

    const noCsrf = await postForm(
      t,
      ann,
      '/console/account/sessions/revoke-others',
      {},
      { csrf: false },
    );
    expect(noCsrf.statusCode).toBe(403);
    for (const bad of ['', 'x'.repeat(32), `${'a'.repeat(31)}\u0000`, '../../etc']) {
      const r = await postForm(t, ann, '/console/account/sessions/revoke', { session: bad });
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect(await works(ann)).toBe(true);
  });
});

describe('step-up before sensitive actions', () => {
  it('marks the export and erasure routes as needing a fresh second factor', () => {
    const fresh = t.app.consoleRouteTable.filter((r) => r.fresh).map((r) => `${r.method} ${r.url}`);
    expect(fresh).toEqual(
      expect.arrayContaining([
        'GET /console/leads/export',
        'POST /console/leads/export',
        'POST /console/privacy/:id/delete',
      ]),
    );
  });

  it('asks an admin for a code again after 15 minutes, then lets the export through', async () => {
    const first = await t.app.accounts.login('ada@example.test', staffPassword);
    const enrolled = await enrolWithSecret(t, first.token);
    const jar: Jar = { sid: enrolled.token };
    expect((await getAs(t, jar, '/console/leads/export')).statusCode).toBe(200);
    clock.advance(10 * 60_000);
    expect(await works(jar)).toBe(true);
    clock.advance(6 * 60_000);
    const stale = await getAs(t, jar, '/console/leads/export');
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe(
      '/console/account/confirm?next=%2Fconsole%2Fleads%2Fexport',
    );
    const post = await postForm(t, jar, '/console/leads/export', { recipient: 'x' });
    expect(post.statusCode).toBe(303);
    expect(String(post.headers.location)).toMatch(/^\/console\/account\/confirm/);

    const confirm = await postForm(t, jar, '/console/account/confirm', {
      proof: totpCode(enrolled.secret, clock.now()),
      next: '/console/leads/export',
    });
    expect(confirm.statusCode).toBe(303);
    expect(confirm.headers.location).toBe('/console/leads/export');
    const renewed: Jar = { sid: confirm.cookies.find((c) => c.name === 'sid')!.value };
    expect(renewed.sid).not.toBe(jar.sid);
    expect((await getAs(t, renewed, '/console/leads/export')).statusCode).toBe(200);
    expect(await works(jar)).toBe(false);
    const json = await t.app.inject({
      method: 'GET',
      url: '/console/leads/export',
      headers: { cookie: cookieHeader(renewed), accept: 'application/json' },
    });
    expect(json.statusCode).toBe(200);
  });

  it('asks a member without a second factor for the password, and refuses a wrong one', async () => {
    const jar = await signIn('bob@example.test');
    clock.advance(10 * 60_000);
    expect(await works(jar)).toBe(true);
    clock.advance(6 * 60_000);
    const stale = await postForm(t, jar, '/console/account/two-factor/disable');
    expect(stale.statusCode).toBe(303);
    const page = await getAs(t, jar, '/console/account/confirm?next=%2Fconsole%2Faccount');
    expect(page.body).toContain('type="password"');
    const wrong = await postForm(t, jar, '/console/account/confirm', { proof: 'not my password!' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain(wrongPasswordMessage);
    const ok = await postForm(t, jar, '/console/account/confirm', {
      proof: staffPassword,
      next: 'https://evil.example/console',
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/console');
  });
});

describe('signing in again', () => {
  it('works from a sign-in page after the others', async () => {
    const { res } = await submitPageForm(t, '/console/login', {
      email: 'bob@example.test',
      password: staffPassword,
    });
    expect(res.statusCode).toBe(303);
  });
});
