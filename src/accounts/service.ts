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
import type { Kernel } from '../privacy/kernel.js';
import { conflict, DomainError, invalid, type FieldErrors } from '../web/errors.js';
import { readIssues } from '../web/validation.js';
import { deviceLabel } from './device.js';
import { hashPassword, passwordProblem } from './passwords.js';
import * as repo from './repository.js';
import { createSecondFactor, type SecondFactor } from './second-factor.js';
import { LONGEST_IDLE_MS, SESSION_COOKIE, sessionCookie } from './sessions-store.js';
import { createStaffSessions, secondFactorRequired, signInAgainMessage } from './staff-sessions.js';
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

export { SESSION_COOKIE };
const MINUTE = 60_000;
/** The longest idle limit of any kind of account (staff: 15 minutes; src/accounts/sessions-store.ts). */
export const IDLE_TIMEOUT_MS = LONGEST_IDLE_MS;
export { idleLimits, SESSION_LIFETIME_MS } from './sessions-store.js';
export type { LiveSession } from './sessions-store.js';
export const SETUP_LINK_TTL_MS = 60 * MINUTE;

// One answer for an unknown email, a wrong password and a throttled source, so none of them
// tells a requester which emails are staff; it still says what a person can do.
export const loginFailedMessage =
  'That email and password do not match, or sign-in from your network is paused after too many attempts. Check them and try again, or wait 15 minutes.';
export const disabledMessage =
  'This account has been disabled. Ask an administrator if you need access again.';
export const setupLinkInvalidMessage = 'This setup link is no longer valid.';

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
/** How far a sign-in got: `code` asks for the second factor next, `enrol` for its setup. */
export type SignInStage = 'active' | 'code' | 'enrol';
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
  // Length, the common-password list and the rest: src/accounts/passwords.ts.
  password: z.string().superRefine((p, ctx) => {
    const problem = passwordProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

/** The cookie that carries the session token: never readable by scripts, sent on same-site navigation. */
export function sessionCookieOptions(config: Config) {
  return sessionCookie(config).options;
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
  /** Seals second-factor secrets; without it (the CLI) the second factor is not available. */
  kernel?: Kernel;
  /** The name authenticator apps show above the code. */
  issuer?: string;
}

export function createAccountService(deps: AccountDeps) {
  const { db, clock } = deps;
  let dummyHash: Promise<string> | undefined;
  const verifyPassword = deps.verifyPassword ?? ((h, p) => argon2.verify(h, p));
  let secondFactor: SecondFactor | undefined;
  const mfa = (): SecondFactor => {
    if (!deps.kernel) throw new Error('the second factor needs the privacy kernel');
    return (secondFactor ??= createSecondFactor({
      db,
      clock,
      kernel: deps.kernel,
      secret: deps.secret,
      kind: 'staff',
      issuer: deps.issuer ?? 'Console',
      actor: (id) => ({ kind: 'staff', id }),
    }));
  };
  const staffSessions = createStaffSessions({ db, clock, secondFactor: mfa, verifyPassword });
  const { sessions } = staffSessions;
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
    opts: { source?: string; userAgent?: string; now?: Date } = {},
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
    await throttle.succeeded(key);
    const stage = await signInStage(user);
    if (stage === 'active') {
      await repo.recordLogin(db, user.id, now.toISOString());
      const actor: AuditActor = { kind: 'staff', id: user.id };
      await appendAudit(db, { actor, action: 'login', detail: { second_factor: 'none' } }, now);
    }
    const device = deviceLabel(opts.userAgent);
    const token = await sessions.start(user.id, { stage, device, now });
    const staff: StaffUser = { id: user.id, email: user.email, role: user.role };
    return { token, user: staff, stage };
  }

  // After the password: the code if the account has a second factor, its setup if the role
  // requires one, or straight in.
  async function signInStage(user: { id: string; role: StaffRole }): Promise<SignInStage> {
    if (deps.kernel && (await mfa().status(user.id)).enabled) return 'code';
    return secondFactorRequired(user.role) ? 'enrol' : 'active';
  }

  /**
   * The code step of sign-in. Wrong codes count against the same throttle as wrong passwords
   * (per account and source), so someone who has the password guesses codes no faster than
   * passwords, and the owner is emailed; a throttled source ends the sign-in.
   */
  async function completeSecondFactor(
    token: string | undefined,
    code: string,
    opts: { source?: string } = {},
  ) {
    const now = clock.now();
    const state = await staffSessions.sessionState(token, now);
    if (state?.session.stage !== 'code')
      return staffSessions.completeSecondFactor(token, code, now);
    const key = throttle.keyOf(state.user.email, opts.source ?? '');
    if (await throttle.throttled(key, now)) {
      await sessions.end(token);
      throw new DomainError(403, signInAgainMessage);
    }
    try {
      return await staffSessions.completeSecondFactor(token, code, now);
    } catch (err) {
      if (err instanceof DomainError) await throttle.failed(key, state.user.id, now);
      throw err;
    }
  }

  // The typed email is never recorded: a mistyped one may be someone's other address. Attempts
  // on an unknown email are anonymous; the rate limit keeps their number bounded.
  async function auditFailure(userId: string | undefined, reason: string, now: Date) {
    const actor: AuditActor = userId ? { kind: 'staff', id: userId } : { kind: 'anonymous' };
    await appendAudit(db, { actor, action: 'login_failed', detail: { reason } }, now);
    deps.onLoginFailed?.();
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
    opts: { device?: string } = {},
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
    // The first administrator sets up a second factor before anything else.
    const stage: SignInStage = secondFactorRequired(user.role) ? 'enrol' : 'active';
    return { user, token: await sessions.start(user.id, { stage, device: opts.device, now }) };
  }

  return {
    createStaffUser,
    login,
    ...staffSessions,
    completeSecondFactor,
    /** The session cookie's name and options (`__Host-sid` over HTTPS). */
    cookie: sessionCookie(deps.config),
    /** The second factor of staff accounts (TOTP and recovery codes). */
    secondFactor: mfa,
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
