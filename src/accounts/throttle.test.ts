import argon2 from 'argon2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mailer, OutgoingMail } from '../adapters/mailer.js';
import { TestClock, createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { submitPageForm } from '../test-support/staff.js';
import { createAccountService, loginFailedMessage } from './service.js';

const clock = new TestClock();
const sent: OutgoingMail[] = [];
const mailer: Mailer = { send: async (m) => void sent.push(m), close: () => undefined };
// Real argon2, each (hash, password) pair verified once: these tests make many attempts, and
// the argon2 calls themselves are counted in 'the account service' below.
const verified = new Map<string, Promise<boolean>>();
const verifyPassword = (hash: string, pw: string) => {
  const key = `${hash}\n${pw}`;
  if (!verified.has(key)) verified.set(key, argon2.verify(hash, pw));
  return verified.get(key)!;
};
let t: TestApp;
const password = 'correct horse battery staple';
const wrong = 'wrong password here';
const attacker = '203.0.113.9';
const owner = '198.51.100.7';
const WINDOW = 15 * 60_000;

beforeAll(async () => {
  t = await createTestApp({ clock, mailer, verifyPassword });
  // The test sends the outbox itself: a background send started by a nudge could finish after
  // a test has counted the mail.
  await t.app.outbox.stop();
  for (const email of ['owner@example.test', 'victim@example.test', 'typo@example.test'])
    await t.app.accounts.createStaffUser({ email, password, role: 'sales' });
});
afterAll(async () => t.close());
// Each test starts from fresh windows, so counts left by another test have expired.
beforeEach(() => clock.advance(WINDOW + 1000));

/** Signs in through the login page from one address, as a browser there would. */
async function postLogin(fields: Record<string, string>, ip: string) {
  return (await submitPageForm(t, '/console/login', fields, '/console/login', ip)).res;
}
const fail = (email: string, ip: string, times = 1) =>
  Array.from({ length: times }).reduce<Promise<unknown>>(
    (p) => p.then(() => postLogin({ email, password: wrong }, ip)),
    Promise.resolve(),
  );

/** What a requester sees, without the page's fresh CSRF token and the email they typed. */
const seen = (res: Awaited<ReturnType<typeof postLogin>>, email: string) => ({
  status: res.statusCode,
  type: res.headers['content-type'],
  body: res.body.replaceAll(hiddenField(res.body, '_csrf'), 'CSRF').replaceAll(email, 'EMAIL'),
});

async function mailsTo(email: string) {
  await t.app.outbox.runOnce();
  return sent.filter((m) => m.to.includes(email));
}

describe('failed sign-in answers', () => {
  it('are the same for an unknown email, a wrong password and a throttled source, even with the right password', async () => {
    const unknown = await postLogin({ email: 'nobody@example.test', password: wrong }, attacker);
    const wrongPassword = await postLogin({ email: 'victim@example.test', password: wrong }, owner);
    await fail('victim@example.test', attacker, 4);
    const fifth = await postLogin({ email: 'victim@example.test', password: wrong }, attacker);
    const throttled = await postLogin({ email: 'victim@example.test', password }, attacker);
    await fail('nobody@example.test', attacker, 4);
    const unknownThrottled = await postLogin({ email: 'nobody@example.test', password }, attacker);

    const expected = seen(unknown, 'nobody@example.test');
    expect(expected.status).toBe(400);
    expect(expected.body).toContain(loginFailedMessage);
    expect(seen(wrongPassword, 'victim@example.test')).toEqual(expected);
    expect(seen(fifth, 'victim@example.test')).toEqual(expected);
    expect(seen(throttled, 'victim@example.test')).toEqual(expected);
    expect(seen(unknownThrottled, 'nobody@example.test')).toEqual(expected);
    expect(throttled.cookies.find((c) => c.name === 'sid')).toBeUndefined();
  });
});

describe('throttling per account and source', () => {
  it('throttles a source after 5 failures for 15 minutes, even for the right password, then lets it in', async () => {
    await fail('typo@example.test', owner, 5);
    const during = await postLogin({ email: 'typo@example.test', password }, owner);
    expect(during.statusCode).toBe(400);
    expect(during.cookies.find((c) => c.name === 'sid')).toBeUndefined();
    clock.advance(WINDOW + 1000);
    expect((await postLogin({ email: 'typo@example.test', password }, owner)).statusCode).toBe(303);
  });

  it('counts only consecutive failures: a success resets the count of its source', async () => {
    await fail('typo@example.test', owner, 4);
    expect((await postLogin({ email: 'typo@example.test', password }, owner)).statusCode).toBe(303);
    await fail('typo@example.test', owner, 4);
    expect((await postLogin({ email: 'typo@example.test', password }, owner)).statusCode).toBe(303);
  });

  it('does not let a throttled attacker keep the owner out from another network', async () => {
    await fail('owner@example.test', attacker, 8);
    const attackerRight = await postLogin({ email: 'owner@example.test', password }, attacker);
    expect(attackerRight.statusCode).toBe(400);
    const own = await postLogin({ email: 'owner@example.test', password }, owner);
    expect(own.statusCode).toBe(303);
    expect(own.headers.location).toBe('/console');
  });

  it('treats the addresses of one IPv6 /64 as one source', async () => {
    for (let i = 1; i <= 5; i++) await fail('victim@example.test', `2001:db8:1:2::${i}`);
    const rotated = await postLogin({ email: 'victim@example.test', password }, '2001:db8:1:2::99');
    expect(rotated.statusCode).toBe(400);
    const other = await postLogin({ email: 'victim@example.test', password }, '2001:db8:1:3::1');
    expect(other.statusCode).toBe(303);
  });

  it('stores neither the address nor the email typed', async () => {
    await fail('nobody-else@example.test', attacker, 2);
    const rows = await t.db.selectFrom('login_failures').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    const stored = JSON.stringify(rows);
    for (const secret of [attacker, 'nobody-else@example.test', 'owner@example.test'])
      expect(stored).not.toContain(secret);
  });
});

describe('the owner', () => {
  it('is emailed once per window when a source is throttled, without the password or the address', async () => {
    await t.app.outbox.runOnce(); // notices queued by earlier tests
    sent.length = 0;
    await fail('owner@example.test', attacker, 7);
    await fail('owner@example.test', '192.0.2.44', 6);
    const mails = await mailsTo('owner@example.test');
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.to).toEqual(['owner@example.test']);
    expect(mail.text).toContain('one network');
    for (const secret of [attacker, '192.0.2.44', '203.0.113', wrong])
      expect(`${mail.subject}\n${mail.text}`).not.toContain(secret);

    clock.advance(WINDOW + 1000);
    await fail('owner@example.test', attacker, 5);
    expect(await mailsTo('owner@example.test')).toHaveLength(2);
  });

  it('is not emailed about failures that stay under the threshold, and an unknown email mails no one', async () => {
    await t.app.outbox.runOnce(); // notices queued by earlier tests
    sent.length = 0;
    await fail('victim@example.test', attacker, 4);
    await fail('nobody@example.test', attacker, 6);
    await t.app.outbox.runOnce();
    expect(sent).toEqual([]);
  });
});

describe('the account service', () => {
  async function counted(limits = { perSource: 2, perAccount: 4 }) {
    const calls: string[] = [];
    const accounts = createAccountService({
      db: t.db,
      clock,
      config: t.config,
      secret: 'another-test-secret-another-test-secret',
      limits,
      verifyPassword: async (hash, pw) => {
        calls.push(hash);
        return pw === password;
      },
    });
    return { accounts, calls };
  }
  const refused = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: { status: number; message: string }) => `${err.status} ${err.message}`,
    );

  it('verifies an unknown email and a throttled source against argon2, as it does a real account', async () => {
    const { accounts, calls } = await counted();
    const generic = `400 ${loginFailedMessage}`;
    expect(await refused(accounts.login('ghost@example.test', password, { source: 'a' }))).toBe(
      generic,
    );
    expect(calls).toHaveLength(1);
    await refused(accounts.login('victim@example.test', wrong, { source: 'a' }));
    await refused(accounts.login('victim@example.test', wrong, { source: 'a' }));
    expect(await refused(accounts.login('victim@example.test', password, { source: 'a' }))).toBe(
      generic,
    );
    expect(calls).toHaveLength(4);
    expect(new Set(calls).size).toBe(2); // the dummy hash and the account's hash
  });

  it('throttles every source once the account ceiling is reached, until the window ends', async () => {
    const { accounts } = await counted();
    for (const source of ['a', 'b', 'c', 'd'])
      await refused(accounts.login('victim@example.test', wrong, { source }));
    const elsewhere = accounts.login('victim@example.test', password, { source: 'e' });
    expect(await refused(elsewhere)).toBe(`400 ${loginFailedMessage}`);
    clock.advance(WINDOW + 1000);
    const after = await accounts.login('victim@example.test', password, { source: 'e' });
    expect(after.user.email).toBe('victim@example.test');
    const notice = (await mailsTo('victim@example.test')).at(-1);
    expect(notice?.text).toContain('many networks');
  });
});
