import type { parseArgs as ParseArgs } from 'node:util';
import { createAccountService, staffRoles } from '../accounts/service.js';
import { createStaffAdmin, type StaffListing } from '../accounts/users-service.js';
import { secondFactorLabel } from '../accounts/users-views.js';
import { systemClock, type Clock } from '../adapters/clock.js';
import type { Config } from '../config/env.js';
import { loadAppSecret } from '../config/secret.js';
import { createDb, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { StaffRole } from '../db/schema.js';
import { secretLink } from '../privacy/secret-paths.js';
import { DomainError } from '../web/errors.js';
import { readSecret } from './prompt.js';

// `starspmb user ...`: parse, call the accounts services, print for a terminal. Every change is
// audited as made by the command line.

export const userUsage = `Usage:
  starspmb user create --email E --role R   create an account (asks for the password, or reads it from standard input)
  starspmb user list                        every staff account: email, name, role, status, last sign-in
  starspmb user disable <email>             end their sessions and refuse their sign-in
  starspmb user reset-link <email>          print a one-time password reset link (30 minutes)
Roles: ${staffRoles.join(', ')}.`;

const cli = { kind: 'system', name: 'cli' } as const;

export interface UserCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  readSecret: (question: string) => Promise<string>;
  clock: Clock;
}

const defaultIo: UserCommandIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  readSecret,
  clock: systemClock,
};

export async function userCommand(
  config: Config,
  args: string[],
  parseArgs: typeof ParseArgs,
  io: UserCommandIo = defaultIo,
): Promise<number> {
  const [sub, ...rest] = args;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(parseArgs, sub, rest);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${userUsage}`);
    return 1;
  }
  if (typeof parsed === 'string') {
    io.err(`${parsed}\n\n${userUsage}`);
    return 1;
  }
  const password =
    parsed.sub === 'create' ? await io.readSecret('Password (12 characters or more): ') : '';
  const db = createDb(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const secret = loadAppSecret(config.dataDir, config.appSecret);
    return await run(parsed, { db, config, secret, io, password });
  } catch (err) {
    if (err instanceof DomainError) {
      io.err(terminalMessage(err));
      return 1;
    }
    throw err;
  } finally {
    await db.destroy();
  }
}

type Parsed =
  | { sub: 'create'; email: string; role: StaffRole }
  | { sub: 'list' }
  | { sub: 'disable' | 'reset-link'; email: string };

/** What was asked, or the reason it cannot be done, in words for a terminal. */
function parse(
  parseArgs: typeof ParseArgs,
  sub: string | undefined,
  rest: string[],
): Parsed | string {
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { email: { type: 'string' }, role: { type: 'string' } },
        strict: true,
      });
      if (!values.email) return "Give the new account's email address with --email.";
      if (!values.role) return `Give a role with --role: one of ${staffRoles.join(', ')}.`;
      if (!(staffRoles as readonly string[]).includes(values.role))
        return `"${values.role}" is not a role. Use one of: ${staffRoles.join(', ')}.`;
      return { sub, email: values.email, role: values.role as StaffRole };
    }
    case 'list':
      parseArgs({ args: rest, options: {}, strict: true });
      return { sub };
    case 'disable':
    case 'reset-link': {
      const { positionals } = parseArgs({
        args: rest,
        options: {},
        strict: true,
        allowPositionals: true,
      });
      if (positionals.length !== 1) return `Give one email address: starspmb user ${sub} <email>`;
      return { sub, email: positionals[0]! };
    }
    case undefined:
      return 'Say what to do with staff accounts.';
    default:
      return `Unknown user command "${sub}".`;
  }
}

async function run(
  p: Parsed,
  ctx: { db: Db; config: Config; secret: string; io: UserCommandIo; password: string },
): Promise<number> {
  const { db, config, secret, io } = ctx;
  const users = createStaffAdmin({ db, clock: io.clock, secret });
  switch (p.sub) {
    case 'create': {
      const accounts = createAccountService({ db, clock: io.clock, config, secret });
      const user = await accounts.createStaffUser({
        email: p.email,
        password: ctx.password,
        role: p.role,
      });
      io.out(`Created ${user.role} account for ${user.email}.`);
      return 0;
    }
    case 'list':
      for (const line of table(await users.list())) io.out(line);
      return 0;
    case 'disable': {
      const user = await users.byEmail(p.email);
      const result = await users.disable(cli, user.id);
      io.out(
        result.changed
          ? `Disabled ${user.email}: ${result.endedSessions} session(s) ended; sign-in is refused from now on.`
          : `${user.email} was already disabled; nothing changed.`,
      );
      return 0;
    }
    case 'reset-link': {
      const user = await users.byEmail(p.email);
      const link = await users.sendLink(cli, user.id, { print: true });
      const route = link.purpose === 'invite' ? 'staffInvitation' : 'passwordReset';
      const url = `${config.baseUrl.replace(/\/$/, '')}${secretLink(route, link.token ?? '')}`;
      io.out(
        link.purpose === 'invite'
          ? `${user.email} has not accepted their invitation; this new invitation link works once, for 72 hours:`
          : `Password reset link for ${user.email}; it works once, for 30 minutes:`,
      );
      io.out(url);
      io.out('Give it to them privately: whoever holds it can set the password.');
      return 0;
    }
  }
}

/** The accounts as aligned columns. */
function table(rows: StaffListing[]): string[] {
  if (rows.length === 0) return ['No staff accounts yet. Create one with: starspmb user create'];
  const cells = rows.map((r) => [
    r.email,
    r.name ?? '-',
    r.role,
    r.status,
    r.last_login_at ? `${r.last_login_at.slice(0, 16).replace('T', ' ')} UTC` : 'never',
    secondFactorLabel(r).toLowerCase(),
  ]);
  const head = ['EMAIL', 'NAME', 'ROLE', 'STATUS', 'LAST SIGN-IN', 'SECOND FACTOR'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)];
}

/** A refusal for a terminal: what went wrong, then each field's reason named by its option. */
export function terminalMessage(err: DomainError): string {
  const options: Record<string, string> = {
    email: '--email',
    password: 'password',
    role: '--role',
  };
  const details = Object.entries(err.fields).map(([k, v]) => `  ${options[k] ?? k}: ${v}`);
  const head = details.length > 0 ? 'Nothing was changed:' : err.message;
  return [head, ...details].join('\n');
}
