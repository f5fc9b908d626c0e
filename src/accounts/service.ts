import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';
import type { Clock } from '../adapters/clock.js';
import { appendAudit, type AuditActor } from '../audit/log.js';
import type { Config } from '../config/env.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { secretLink } from '../privacy/secret-paths.js';
import type { StaffRole } from '../db/schema.js';
import { conflict, DomainError, invalid, type FieldErrors } from '../web/errors.js';
import { readIssues } from '../web/validation.js';
import * as repo from './repository.js';
import { createLoginThrottle, defaultThrottleLimits, type ThrottleLimits } from './throttle.js';

export interface StaffUser {
  id: string;
  email: string;
  role: StaffRole;
}

export const staffRoles = [
  'admin',
  'sales',
  'marketing',
  'privacy',
] as const satisfies readonly StaffRole[];

export const SESSION_COOKIE = 'sid';
const MINUTE = 60_000;
export const IDLE_TIMEOUT_MS = 30 * MINUTE;
export const SESSION_LIFETIME_MS = 12 * 60 * MINUTE;
// last_seen_at is written at most this often, so browsing is not one UPDATE per request.
const TOUCH_INTERVAL_MS = MINUTE;
export const SETUP_LINK_TTL_MS = 60 * MINUTE;

// One answer for an unknown email, a wrong password and a throttled source, so none of them
// tells a requester which emails are staff; it still says what a person can do.
export const loginFailedMessage =
  'That email and password do not match, or sign-in from your network is paused after too many attempts. Check them and try again, or wait 15 minutes.';
export const disabledMessage =
  'This account has been disabled. Ask an administrator if you need access again.';
export const setupLinkInvalidMessage = 'This setup link is no longer valid.';

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
const iso = (ms: number) => new Date(ms).toISOString();

const credentials = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, 'Enter an email address.')
    .max(254, 'Email addresses are at most 254 characters.')
    .pipe(z.email('Enter a valid email address, such as name@example.com.')),
  password: z
    .string()
    .min(12, 'Use at least 12 characters.')
    .max(256, 'Use at most 256 characters.'),
});

/** The cookie that carries the session token: never readable by scripts, sent on same-site navigation. */
export function sessionCookieOptions(config: Config) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.baseUrl.startsWith('https:'),
    path: '/',
    maxAge: SESSION_LIFETIME_MS / 1000,
  };
}

export interface AccountDeps {
  db: Db;
  clock: Clock;
  config: Config;
  /** The app secret: keys the fingerprints failed sign-ins are counted under. */
  secret: string;
  /** Called after a commit that queued mail (the owner's failed sign-in notice). */
  onCommit?: () => void;
  limits?: ThrottleLimits;
  /** argon2 verification; tests count its calls. */
  verifyPassword?: (hash: string, password: string) => Promise<boolean>;
  /** Told of each refused sign-in (the failed-login metric); never told who or from where. */
  onLoginFailed?: () => void;
}

export function createAccountService(deps: AccountDeps) {
  const { db, clock } = deps;
  let dummyHash: Promise<string> | undefined;
  const verifyPassword = deps.verifyPassword ?? ((h, p) => argon2.verify(h, p));
  const throttle = createLoginThrottle({
    db,
    secret: deps.secret,
    limits: deps.limits ?? defaultThrottleLimits,
    onCommit: deps.onCommit ?? (() => undefined),
  });

  function validate(input: { email: string; password: string }, extra: FieldErrors = {}) {
    const parsed = credentials.safeParse(input);
    // Errors in the order the form shows its fields.
    const { fields, general } = readIssues(parsed.error?.issues);
    if (general[0]) fields.email ??= general[0];
    for (const [key, message] of Object.entries(extra)) fields[key] ??= message;
    if (!parsed.success || Object.keys(fields).length > 0) {
      throw invalid('Please correct the highlighted fields.', fields);
    }
    return parsed.data;
  }

  const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

  // A missing account costs the same verify as a real one, so timing does not reveal which exist.
  async function verify(hash: string | undefined, password: string): Promise<boolean> {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const against = hash ?? (await dummyHash);
    const ok = await verifyPassword(against, password).catch(() => false);
    return ok && hash !== undefined;
  }

  // `by`: who created the account, for the audit log; the CLI is the default.
  async function createStaffUser(
    input: { email: string; password: string; role: StaffRole },
    by: AuditActor = { kind: 'system', name: 'cli' },
  ): Promise<StaffUser> {
    const roleError: FieldErrors = (staffRoles as readonly string[]).includes(input.role)
      ? {}
      : { role: `Choose one of: ${staffRoles.join(', ')}.` };
    const { email, password } = validate(input, roleError);
    if (await repo.emailTaken(db, email)) throw duplicate(email);
    const user: StaffUser = { id: randomUUID(), email, role: input.role };
    const row = await userRow(user, password);
    try {
      await db.transaction().execute(async (trx) => {
        await repo.insertUser(trx, row);
        await appendAudit(trx, accountCreated(by, user), clock.now());
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate(email);
      throw err;
    }
    return user;
  }

  async function userRow(user: StaffUser, password: string) {
    return {
      ...user,
      password_hash: await hashPassword(password),
      created_at: clock.now().toISOString(),
      disabled_at: null,
      last_login_at: null,
    };
  }

  /**
   * `source`: the requester's IP. Failures are counted per (email typed, source network) and per
   * email, known or not, so an unknown email, a wrong password and a throttled source take the
   * same path to the same answer, one argon2 verify included.
   */
  async function login(
    email: string,
    password: string,
    opts: { source?: string; now?: Date } = {},
  ) {
    const now = opts.now ?? clock.now();
    const normalized = email.trim().toLowerCase();
    const user = normalized ? await repo.findUserForLogin(db, normalized) : undefined;
    const key = throttle.keyOf(normalized, opts.source ?? '');
    const throttled = await throttle.throttled(key, now);
    // A throttled source is refused even with the right password, so it learns nothing.
    const ok = await verify(throttled ? undefined : user?.password_hash, password);
    if (throttled || !ok || !user) {
      await auditFailure(user?.id, throttled ? 'throttled' : 'wrong_password', now);
      if (!throttled) await throttle.failed(key, user?.id, now);
      throw invalid(loginFailedMessage);
    }
    // Only someone who knows the password learns that the account is disabled.
    if (user.disabled_at) {
      await auditFailure(user.id, 'disabled', now);
      throw new DomainError(403, disabledMessage);
    }
    const at = now.toISOString();
    await throttle.succeeded(key);
    await repo.recordLogin(db, user.id, at);
    await appendAudit(db, { actor: { kind: 'staff', id: user.id }, action: 'login' }, now);
    await repo.deleteExpiredSessions(db, at, iso(now.getTime() - IDLE_TIMEOUT_MS));
    const token = await startSession(user.id, now);
    const staff: StaffUser = { id: user.id, email: user.email, role: user.role };
    return { token, user: staff };
  }

  // The typed email is never recorded: a mistyped one may be someone's other address. Attempts
  // on an unknown email are anonymous; the rate limit keeps their number bounded.
  async function auditFailure(userId: string | undefined, reason: string, now: Date) {
    const actor: AuditActor = userId ? { kind: 'staff', id: userId } : { kind: 'anonymous' };
    await appendAudit(db, { actor, action: 'login_failed', detail: { reason } }, now);
    deps.onLoginFailed?.();
  }

  async function startSession(userId: string, now: Date = clock.now()): Promise<string> {
    const token = newToken();
    await repo.insertSession(db, {
      id_hash: sha256(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: iso(now.getTime() + SESSION_LIFETIME_MS),
    });
    return token;
  }

  async function sessionUser(token: string | undefined, now: Date = clock.now()) {
    if (!token || !tokenPattern.test(token)) return null;
    const idHash = sha256(token);
    const s = await repo.findSession(db, idHash);
    if (!s) return null;
    const t = now.getTime();
    const idle = t - Date.parse(s.last_seen_at) >= IDLE_TIMEOUT_MS;
    if (idle || Date.parse(s.expires_at) <= t || s.disabled_at) {
      await repo.deleteSession(db, idHash);
      return null;
    }
    if (t - Date.parse(s.last_seen_at) >= TOUCH_INTERVAL_MS) {
      await repo.touchSession(db, idHash, now.toISOString());
    }
    const user: StaffUser = { id: s.user_id, email: s.email, role: s.role };
    return user;
  }

  async function logout(token: string | undefined): Promise<void> {
    if (!token || !tokenPattern.test(token)) return;
    const session = await repo.findSession(db, sha256(token));
    await repo.deleteSession(db, sha256(token));
    if (session) {
      await appendAudit(
        db,
        { actor: { kind: 'staff', id: session.user_id }, action: 'logout' },
        clock.now(),
      );
    }
  }

  async function firstRunSetupLink(baseUrl: string, now: Date = clock.now()) {
    if (await repo.anyStaff(db)) return null;
    await repo.deleteStaleSetupTokens(db, now.toISOString());
    const token = newToken();
    await repo.insertSetupToken(db, {
      token_hash: sha256(token),
      created_at: now.toISOString(),
      expires_at: iso(now.getTime() + SETUP_LINK_TTL_MS),
    });
    return `${baseUrl.replace(/\/$/, '')}${secretLink('accountSetup', token)}`;
  }

  async function setupTokenValid(token: string, now: Date = clock.now()): Promise<boolean> {
    if (!tokenPattern.test(token) || (await repo.anyStaff(db))) return false;
    return (await repo.findUsableSetupToken(db, sha256(token), now.toISOString())) !== undefined;
  }

  async function completeSetup(
    token: string,
    input: { email: string; password: string; passwordConfirm: string },
    now: Date = clock.now(),
  ) {
    if (!(await setupTokenValid(token, now))) throw setupLinkInvalid();
    const mismatch: FieldErrors =
      input.password === input.passwordConfirm
        ? {}
        : { passwordConfirm: 'The two passwords do not match.' };
    const { email, password } = validate(input, mismatch);
    const user: StaffUser = { id: randomUUID(), email, role: 'admin' };
    // Hashing is slow, so it happens before the transaction opens.
    const row = await userRow(user, password);
    await db.transaction().execute(async (trx) => {
      if (!(await repo.claimSetupToken(trx, sha256(token), now.toISOString())))
        throw setupLinkInvalid();
      if (await repo.anyStaff(trx)) throw setupLinkInvalid();
      await repo.insertUser(trx, row);
      await appendAudit(trx, accountCreated({ kind: 'system', name: 'setup_link' }, user), now);
    });
    return { user, token: await startSession(user.id, now) };
  }

  return {
    createStaffUser,
    login,
    sessionUser,
    logout,
    hasStaff: () => repo.anyStaff(db),
    firstRunSetupLink,
    setupTokenValid,
    completeSetup,
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

const duplicate = (email: string) =>
  conflict(`A staff account with the email ${email} already exists. Choose another email address.`);
const setupLinkInvalid = () => new DomainError(404, setupLinkInvalidMessage);
const accountCreated = (actor: AuditActor, user: StaffUser) => ({
  actor,
  action: 'account_created' as const,
  target: { type: 'staff_user', id: user.id },
  detail: { role: user.role },
});
