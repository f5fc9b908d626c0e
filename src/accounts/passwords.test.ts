import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { DomainError } from '../web/errors.js';
import { passwordMessages, passwordProblem } from './passwords.js';

describe('passwordProblem', () => {
  it('accepts 12 characters or more of anything, with no composition rules', () => {
    for (const ok of [
      'correct horse battery staple',
      'all lowercase words',
      'tw3lve chars',
      'ÄÖÜ äöü ß日本語テキスト',
    ]) {
      expect(passwordProblem(ok), ok).toBeNull();
    }
  });

  it('refuses short, overlong, common, one-pattern and own-email passwords, saying why', () => {
    expect(passwordProblem('eleven char')).toBe(passwordMessages.tooShort);
    expect(passwordProblem('x'.repeat(257))).toBe(passwordMessages.tooLong);
    for (const common of ['qwerty123456', 'QWERTY123456', '1q2w3e4r5t6y', 'leavemealone']) {
      expect(passwordProblem(common), common).toBe(passwordMessages.common);
    }
    for (const repeated of ['aaaaaaaaaaaa', 'abcabcabcabc', '123412341234']) {
      expect(passwordProblem(repeated), repeated).toBe(passwordMessages.repeated);
    }
    expect(passwordProblem('Pat@Example.test', { email: 'pat@example.test' })).toBe(
      passwordMessages.isEmail,
    );
  });

  it('counts characters, not bytes', () => {
    expect(passwordProblem('ü'.repeat(5) + 'abcdefg')).toBeNull();
    expect(passwordProblem('日本語のパスワード')).toBe(passwordMessages.tooShort);
  });
});

describe('creating an account with a common password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('is refused with the reason beside the password field, and nothing is stored', async () => {
    const err = await t.app.accounts
      .createStaffUser({ email: 'weak@example.test', password: 'qwerty123456', role: 'sales' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).fields.password).toBe(passwordMessages.common);
    const rows = await t.db
      .selectFrom('staff_users')
      .select('id')
      .where('email', '=', 'weak@example.test')
      .execute();
    expect(rows).toEqual([]);
  });
});
