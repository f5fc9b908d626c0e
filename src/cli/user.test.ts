import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { getAs, staffPassword, staffSessions, submitPageForm } from '../test-support/staff.js';
import { userCommand } from './user.js';

// `starspmb user ...` called as main.ts calls it, against the test app's database: what it
// prints is for a person at a terminal.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => t.close());

async function cli(args: string[], password = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await userCommand(t.config, args, parseArgs, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readSecret: () => Promise.resolve(password),
    clock: t.clock,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('starspmb user', () => {
  it('creates an account, and names what is wrong without "highlighted fields"', async () => {
    const ok = await cli(
      ['create', '--email', 'Ops@Example.test', '--role', 'admin'],
      staffPassword,
    );
    expect(ok).toMatchObject({ code: 0, out: 'Created admin account for ops@example.test.' });

    const badRole = await cli(['create', '--email', 'x@example.test', '--role', 'owner']);
    expect(badRole.code).toBe(1);
    expect(badRole.err).toContain(
      '"owner" is not a role. Use one of: admin, sales, marketing, privacy.',
    );

    const short = await cli(['create', '--email', 'not-an-email', '--role', 'sales'], 'short');
    expect(short.code).toBe(1);
    expect(short.err).toContain('--email: Enter a valid email address');
    expect(short.err).toContain('password: Use at least 12 characters.');
    expect(short.err).not.toMatch(/highlighted/i);

    const missing = await cli(['create', '--email', 'x@example.test']);
    expect(missing.err).toContain(
      'Give a role with --role: one of admin, sales, marketing, privacy.',
    );
  });

  it('lists every account with role, status and last sign-in', async () => {
    await staffSessions(t, ['sales'], { email: () => 'listed@example.test' });
    const res = await cli(['list']);
    expect(res.code).toBe(0);
    const lines = res.out.split('\n');
    expect(lines[0]).toMatch(/^EMAIL +NAME +ROLE +STATUS +LAST SIGN-IN +SECOND FACTOR$/);
    expect(lines.find((l) => l.startsWith('listed@example.test'))).toMatch(
      /sales +active +2026-11-28 12:00 UTC +off$/,
    );
    expect(lines.find((l) => l.startsWith('ops@example.test'))).toMatch(/admin +active +never/);
  });

  it('disables an account, ending its sessions at once; twice is harmless', async () => {
    const { sales } = await staffSessions(t, ['sales'], { email: () => 'leaving@example.test' });
    const res = await cli(['disable', 'Leaving@example.test']);
    expect(res).toMatchObject({ code: 0 });
    expect(res.out).toContain('Disabled leaving@example.test: 1 session(s) ended');
    expect((await getAs(t, sales!.jar, '/console/leads')).statusCode).toBe(303);
    expect((await cli(['disable', 'leaving@example.test'])).out).toContain('already disabled');
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id'])
      .where('action', '=', 'account_disabled')
      .where('target_id', '=', sales!.id)
      .execute();
    expect(audit).toEqual([{ actor_kind: 'system', actor_id: 'cli' }]);
  });

  it('will not disable the last active administrator', async () => {
    const admins = await t.db
      .selectFrom('staff_users')
      .select('email')
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .execute();
    expect(admins.map((a) => a.email)).toEqual(['ops@example.test']);
    const res = await cli(['disable', 'ops@example.test']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('last active administrator');
  });

  it('prints a reset link that works once', async () => {
    await staffSessions(t, ['marketing'], { email: () => 'forgetful@example.test' });
    const res = await cli(['reset-link', 'forgetful@example.test']);
    expect(res.code).toBe(0);
    const url = /http:\/\/localhost:3000(\/account\/reset\/[A-Za-z0-9_-]{43})/.exec(res.out)?.[1];
    expect(url).toBeDefined();
    const { res: done } = await submitPageForm(t, url!, {
      password: 'chosen at the terminal',
      passwordConfirm: 'chosen at the terminal',
    });
    expect(done.statusCode).toBe(200);
    await expect(
      t.app.accounts.login('forgetful@example.test', 'chosen at the terminal'),
    ).resolves.toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: url! })).statusCode).toBe(404);
  });

  it('explains unknown addresses, commands and options', async () => {
    expect((await cli(['disable', 'nobody@example.test'])).err).toBe(
      'A staff account with that email was not found.',
    );
    const unknown = await cli(['remove', 'x@example.test']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown user command "remove".');
    expect(unknown.err).toContain('starspmb user reset-link <email>');
    expect((await cli(['list', '--all'])).code).toBe(1);
    expect((await cli(['disable'])).err).toContain('Give one email address');
  });
});
