import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../web/errors.js';
import { sessionCookieOptions } from './service.js';
import { TestClock, createTestApp, type TestApp } from '../test-support/app.js';

const clock = new TestClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

const accounts = () => t.app.accounts;
// Exactly 12 and exactly 256 characters, neither common nor one repeated pattern.
const minPassword = 'tw3lve chars';
const maxPassword = Array.from({ length: 256 }, (_, i) =>
  String.fromCharCode(33 + ((i * 7) % 90)),
).join('');
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('createStaffUser', () => {
  it('normalises the email and stores an argon2id hash, never the password', async () => {
    const user = await accounts().createStaffUser({
      email: '  Pat@Example.TEST ',
      password: 'twelve chars!',
      role: 'marketing',
    });
    expect(user).toMatchObject({ email: 'pat@example.test', role: 'marketing' });
    const row = await t.db
      .selectFrom('staff_users')
      .select(['password_hash'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('twelve chars!');
  });

  it('refuses a duplicate email, whatever its case, with a conflict', async () => {
    const err = await refusal(
      accounts().createStaffUser({
        email: 'PAT@example.test',
        password: 'another password',
        role: 'sales',
      }),
    );
    expect(err.status).toBe(409);
    expect(err.message).toContain('already exists');
  });

  it('refuses bad input with a message per field', async () => {
    const short = await refusal(
      accounts().createStaffUser({
        email: 'a@example.test',
        password: 'eleven char',
        role: 'sales',
      }),
    );
    expect(short.status).toBe(400);
    expect(short.fields.password).toBe('Use at least 12 characters.');
    const long = await refusal(
      accounts().createStaffUser({
        email: 'a@example.test',
        password: 'x'.repeat(257),
        role: 'sales',
      }),
    );
    expect(long.fields.password).toBe('Use at most 256 characters.');
    const email = await refusal(
      accounts().createStaffUser({
        email: 'not an email',
        password: 'long enough password',
        role: 'sales',
      }),
    );
    expect(Object.keys(email.fields)).toEqual(['email']);
    const role = await refusal(
      accounts().createStaffUser({
        email: 'b@example.test',
        password: 'long enough password',
        role: 'owner' as 'admin',
      }),
    );
    expect(role.fields.role).toContain('admin, sales, marketing, privacy');
    expect(
      await t.db
        .selectFrom('staff_users')
        .select('email')
        .where('email', 'in', ['a@example.test', 'b@example.test'])
        .execute(),
    ).toEqual([]);
  });

  it('accepts exactly 12 and exactly 256 characters', async () => {
    await accounts().createStaffUser({
      email: 'min@example.test',
      password: minPassword,
      role: 'sales',
    });
    await accounts().createStaffUser({
      email: 'max@example.test',
      password: maxPassword,
      role: 'sales',
    });
    expect((await accounts().login('max@example.test', maxPassword)).user.email).toBe(
      'max@example.test',
    );
  });
});

describe('sessions', () => {
  it('refresh last_seen_at at most once a minute', async () => {
    const { token } = await accounts().login('min@example.test', minPassword);
    const seen = async () =>
      (
        await t.db
          .selectFrom('sessions')
          .select('last_seen_at')
          .where('id_hash', '=', hashOf(token))
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    const start = await seen();
    clock.advance(30_000);
    expect(await accounts().sessionUser(token)).toMatchObject({ email: 'min@example.test' });
    expect(await seen()).toBe(start);
    clock.advance(31_000);
    await accounts().sessionUser(token);
    expect(await seen()).toBe(clock.now().toISOString());
  });

  it('are cleared lazily: a later sign-in deletes expired rows', async () => {
    const { token } = await accounts().login('min@example.test', minPassword);
    clock.advance(31 * 60_000);
    await accounts().login('max@example.test', maxPassword);
    const left = await t.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('id_hash', '=', hashOf(token))
      .executeTakeFirst();
    expect(left).toBeUndefined();
  });

  it('of a disabled account stop working at once', async () => {
    const { token } = await accounts().login('min@example.test', minPassword);
    await t.db
      .updateTable('staff_users')
      .set({ disabled_at: clock.now().toISOString() })
      .where('email', '=', 'min@example.test')
      .execute();
    expect(await accounts().sessionUser(token)).toBeNull();
  });

  it('are not found from an absent or malformed token', async () => {
    expect(await accounts().sessionUser(undefined)).toBeNull();
    expect(await accounts().sessionUser('')).toBeNull();
    await accounts().logout('not a token');
  });
});

describe('session cookie', () => {
  it('is httpOnly and lax everywhere, and secure only when the site is served over https', () => {
    expect(sessionCookieOptions(t.config)).toMatchObject({
      httpOnly: true,
      sameSite: 'lax',
      secure: false,
      path: '/',
    });
    const https = sessionCookieOptions({ ...t.config, baseUrl: 'https://www.example.test' });
    expect(https.secure).toBe(true);
    expect(https.maxAge).toBe(12 * 60 * 60);
  });
});
