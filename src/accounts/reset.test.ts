import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../privacy-center/testing.js';
import { TestClock, createTestApp, type TestApp } from '../test-support/app.js';
import { startSmtp, type SmtpPeer } from '../test-support/smtp.js';
import { getAs, staffPassword, staffSessions, submitPageForm } from '../test-support/staff.js';
import { RESETS_PER_HOUR } from './reset.js';
import { linkPathFor } from './testing.js';

// Password reset by a one-time link: "Forgot password?" answers the same for every address and
// mails only known ones; a link works once, for 30 minutes, and ends every session when used.

let t: TestApp;
let smtp: SmtpPeer;
const clock = new TestClock();

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: smtp.url }, clock });
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const fresh = 'an entirely new passphrase';
let n = 0;
async function member() {
  const email = `reset-${++n}@example.test`;
  const s = await staffSessions(t, ['sales'], { email: () => email });
  return { ...s.sales!, email };
}
const forgot = (email: string) => submitPageForm(t, '/console/forgot-password', { email });
const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email)).length;
const canSignIn = (email: string, password: string) =>
  t.app.accounts.login(email, password).then(
    () => true,
    () => false,
  );
/** Posts a new password to a link as a browser would, with a CSRF token from a page of the site. */
const choose = (path: string, password: string, passwordConfirm = password) =>
  submitPageForm(t, '/console/forgot-password', { password, passwordConfirm }, path).then(
    (r) => r.res,
  );

describe('forgot password', () => {
  it('is linked from the login page', async () => {
    const login = await t.app.inject({ method: 'GET', url: '/console/login' });
    expect(login.body).toContain('href="/console/forgot-password"');
    expect(login.body).not.toContain('Ask an administrator to reset it');
  });

  it('answers the same for a known and an unknown address, and mails only the known one', async () => {
    const known = await member();
    const a = await forgot(known.email);
    const b = await forgot('nobody-here@example.test');
    expect(a.res.statusCode).toBe(200);
    expect(b.res.statusCode).toBe(200);
    expect(a.res.body).toBe(b.res.body);
    await settle(t, smtp);
    expect(mailsTo(known.email)).toBe(1);
    expect(mailsTo('nobody-here@example.test')).toBe(0);
    expect(smtp.received.every((m) => !m.raw.includes(staffPassword))).toBe(true);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'detail'])
      .where('action', '=', 'password_reset_sent')
      .where('target_id', '=', known.id)
      .execute();
    expect(audit).toEqual([{ actor_kind: 'anonymous', detail: '{"via":"forgot_password"}' }]);
  });

  it('mails a disabled account nothing, and an account at most a few links an hour', async () => {
    const gone = await member();
    await t.db
      .updateTable('staff_users')
      .set({ disabled_at: t.clock.now().toISOString() })
      .where('id', '=', gone.id)
      .execute();
    const busy = await member();
    for (let i = 0; i < RESETS_PER_HOUR + 2; i++) {
      expect((await forgot(busy.email)).res.statusCode).toBe(200);
    }
    expect((await forgot(gone.email)).res.statusCode).toBe(200);
    await settle(t, smtp);
    expect(mailsTo(gone.email)).toBe(0);
    const links = (id: string) =>
      t.db.selectFrom('setup_tokens').select('token_hash').where('user_id', '=', id).execute();
    expect(await links(gone.id)).toHaveLength(0);
    expect(await links(busy.id)).toHaveLength(RESETS_PER_HOUR);
    // A newer link replaces the older: mail for a replaced one is not sent.
    expect(mailsTo(busy.email)).toBeGreaterThanOrEqual(1);
    expect(mailsTo(busy.email)).toBeLessThanOrEqual(RESETS_PER_HOUR);
    // An hour later the bound starts again.
    clock.advance(3_600_000 + 1_000);
    await forgot(busy.email);
    expect(await links(busy.id)).toHaveLength(RESETS_PER_HOUR + 1);
  });

  it('refuses a malformed address, NUL included, without a word about accounts', async () => {
    for (const email of ['not-an-address', 'nul\u0000@example.test', '']) {
      const { res } = await forgot(email);
      expect(res.statusCode, JSON.stringify(email)).toBe(400);
      expect(res.body).not.toContain('Check your email');
    }
  });
});

describe('a reset link', () => {
  it('sets a new password once, ends every session, and keeps only the hash of its token', async () => {
    const m = await member();
    await forgot(m.email);
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, m.email, 'reset');
    const token = path.split('/').pop()!;
    const stored = JSON.stringify(await t.db.selectFrom('setup_tokens').selectAll().execute());
    expect(stored).not.toContain(token);

    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const done = await choose(path, fresh);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Password changed');
    expect((await getAs(t, m.jar, '/console/leads')).statusCode).toBe(303);
    expect(await canSignIn(m.email, staffPassword)).toBe(false);
    expect(await canSignIn(m.email, fresh)).toBe(true);

    // Used: a clear page, and a second password is not taken.
    const reused = await choose(path, 'yet another passphrase');
    expect(reused.statusCode).toBe(404);
    expect(reused.body).toContain('This link is no longer valid');
    expect(await canSignIn(m.email, fresh)).toBe(true);
    const actions = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', m.id)
      .where('action', '=', 'password_reset')
      .execute();
    expect(actions).toHaveLength(1);
  });

  it('refuses a short password or a mismatch beside the field, and the link still works', async () => {
    const m = await member();
    await forgot(m.email);
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, m.email, 'reset');
    const short = await choose(path, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('Use at least 12 characters.');
    const mismatch = await choose(path, fresh, `${fresh}!`);
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('The two passwords do not match.');
    const nul = await choose(path, `${fresh}\u0000`);
    expect(nul.statusCode).toBe(400);
    expect(await canSignIn(m.email, staffPassword)).toBe(true);
    expect((await choose(path, fresh)).statusCode).toBe(200);
  });

  it('refuses a tampered link and an expired one (test clock), changing nothing', async () => {
    const m = await member();
    await forgot(m.email);
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, m.email, 'reset');
    const swapped = path.slice(0, -1) + (path.endsWith('A') ? 'B' : 'A');
    for (const bad of [swapped, path.slice(0, -1), `${path}x`, '/account/reset/%00']) {
      const res = await t.app.inject({ method: 'GET', url: bad });
      expect([400, 404], bad).toContain(res.statusCode);
    }
    expect((await choose(swapped, fresh)).statusCode).toBe(404);
    clock.advance(30 * 60_000 + 1_000);
    const late = await t.app.inject({ method: 'GET', url: path });
    expect(late.statusCode).toBe(404);
    expect(late.body).toContain('Password reset links work once, for 30 minutes');
    expect(late.body).toContain('href="/console/forgot-password"');
    expect(await canSignIn(m.email, staffPassword)).toBe(true);
  });

  it('is not sent once the link has expired in the queue', async () => {
    const m = await member();
    await t.app.outbox.stop();
    await forgot(m.email);
    clock.advance(31 * 60_000);
    await t.app.outbox.runOnce();
    expect(mailsTo(m.email)).toBe(0);
  });

  it('refuses a post without the page’s CSRF token', async () => {
    const m = await member();
    await forgot(m.email);
    await t.app.outbox.runOnce();
    await new Promise((r) => setTimeout(r, 50));
    const path = linkPathFor(smtp.received, m.email, 'reset');
    const res = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ password: fresh, passwordConfirm: fresh }).toString(),
    });
    expect(res.statusCode).toBe(403);
    expect(await canSignIn(m.email, staffPassword)).toBe(true);
  });
});

describe('the new-password rule on a reset link', () => {
  it('refuses a common password, the account’s own email and a short one, saying why', async () => {
    const m = await member();
    await forgot(m.email);
    await settle(t, smtp);
    const path = linkPathFor(smtp.received, m.email, 'reset');
    for (const [password, why] of [
      ['password1234', 'list of common passwords'],
      [m.email, 'your email address'],
      ['eleven char', 'at least 12 characters'],
    ] as const) {
      const res = await choose(path, password);
      expect(res.statusCode, password).toBe(400);
      expect(res.body, password).toContain(why);
    }
    expect(await canSignIn(m.email, staffPassword)).toBe(true);
  });
});

describe('forgot password under a tight rate limit', () => {
  let tight: TestApp;
  beforeAll(async () => {
    tight = await createTestApp({ env: { LOGIN_RATE_LIMIT: '2' } });
  }, 60_000);
  afterAll(async () => tight.close());

  it('answers 429 past the limit for one network', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { res } = await submitPageForm(tight, '/console/forgot-password', {
        email: `x${i}@example.test`,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
