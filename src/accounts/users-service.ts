import { confirmedAmong } from './second-factor-repository.js';
import { randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';
import type { Clock } from '../adapters/clock.js';
import { appendAudit, type AuditActor } from '../audit/log.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { enqueue } from '../outbox/repository.js';
import { assertReadable } from '../privacy/access.js';
import { conflict, invalid, notFound } from '../web/errors.js';
import { readIssues } from '../web/validation.js';
import { createAccountLinks, type MailedLinkPurpose } from './links.js';
import { staffRoles, type StaffUser } from './service.js';
import * as repo from './users-repository.js';

// Staff management: invite, change role, disable, enable, send a link. Every change is audited
// with ids and roles only; a change of role or a disabled account ends that person's sessions
// in the same transaction, so it applies from their next request.

export type StaffStatus = 'active' | 'invited' | 'disabled';
export interface StaffListing extends repo.StaffRecord {
  status: StaffStatus;
  /** Whether two-step sign-in is set up (a confirmed authenticator). */
  secondFactor: boolean;
}

/** No control characters (C0, DEL, C1): a name is shown in pages, lists and a terminal. */
const noControl = (s: string) =>
  ![...s].some((c) => {
    const n = c.codePointAt(0) ?? 0;
    return n < 0x20 || (n >= 0x7f && n <= 0x9f);
  });
export const staffEmail = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter an email address.')
  .max(254, 'Email addresses are at most 254 characters.')
  .pipe(z.email('Enter a valid email address, such as name@example.com.'));
export const staffName = z
  .string({ error: 'Enter their name.' })
  .trim()
  .min(1, 'Enter their name.')
  .max(100, 'Use at most 100 characters.')
  .refine(noControl, 'Use letters, spaces and punctuation only.');
export const roleField = z.enum(staffRoles, {
  error: `Choose a role: ${staffRoles.join(', ')}.`,
});
const inviteInput = z.object({ email: staffEmail, name: staffName, role: roleField });

export const statusOf = (r: repo.StaffRecord): StaffStatus =>
  r.disabled_at ? 'disabled' : r.invited_at ? 'invited' : 'active';

/** Refused changes name the rule, so the administrator knows what to do instead. */
const lastAdmin = () =>
  conflict(
    'This is the last active administrator. Make someone else an administrator first, then try again.',
  );

export interface StaffAdminDeps {
  db: Db;
  clock: Clock;
  secret: string;
  /** Called after a commit that queued mail. */
  onCommit?: () => void;
}

export function createStaffAdmin(deps: StaffAdminDeps) {
  const { db, clock } = deps;
  const links = createAccountLinks(deps.secret);
  const nudge = deps.onCommit ?? (() => undefined);
  const actorOf = (by: StaffUser | AuditActor): AuditActor =>
    'role' in by ? { kind: 'staff', id: by.id } : by;
  const target = (id: string) => ({ type: 'staff_user', id });

  async function list(): Promise<StaffListing[]> {
    assertReadable('staff_users', 'email', 'account');
    assertReadable('staff_users', 'name', 'account');
    const rows = await repo.listStaff(db);
    const withCode = await confirmedAmong(
      db,
      'staff',
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({ ...r, status: statusOf(r), secondFactor: withCode.has(r.id) }));
  }

  async function get(id: string): Promise<StaffListing> {
    assertReadable('staff_users', 'email', 'account');
    const row = await repo.findStaff(db, id);
    if (!row || row.email.endsWith('@closed.invalid')) throw notFound('That staff member');
    const withCode = await confirmedAmong(db, 'staff', [row.id]);
    return { ...row, status: statusOf(row), secondFactor: withCode.has(row.id) };
  }

  async function byEmail(email: string): Promise<StaffListing> {
    const parsed = staffEmail.safeParse(email);
    const row = parsed.success ? await repo.findStaffByEmail(db, parsed.data) : undefined;
    if (!row) throw notFound('A staff account with that email');
    const withCode = await confirmedAmong(db, 'staff', [row.id]);
    return { ...row, status: statusOf(row), secondFactor: withCode.has(row.id) };
  }

  /**
   * Invites someone: their account exists at once (pending), with a password nobody knows, and
   * a 72-hour link to choose one is mailed. Inviting a pending address again sends a new link.
   */
  async function invite(by: StaffUser | AuditActor, input: unknown) {
    const parsed = inviteInput.safeParse(input);
    if (!parsed.success) {
      throw invalid('The invitation was not sent.', readIssues(parsed.error.issues).fields);
    }
    const { email, name, role } = parsed.data;
    const existing = await repo.findStaffByEmail(db, email);
    if (existing && statusOf(existing) !== 'invited') {
      throw invalid('The invitation was not sent.', {
        email: 'A staff account with this email already exists. Find it in the list below.',
      });
    }
    const now = clock.now();
    const id = existing?.id ?? randomUUID();
    // Slow on purpose, and before the transaction: the pending account's unknown password.
    const unusable = existing ? '' : await argon2.hash(randomBytes(32).toString('hex'));
    try {
      await db.transaction().execute(async (trx) => {
        if (existing)
          await repo.updateStaff(trx, id, { name, role, invited_at: now.toISOString() });
        else
          await repo.insertInvited(trx, {
            id,
            email,
            name,
            role,
            password_hash: unusable,
            created_at: now.toISOString(),
            invited_at: now.toISOString(),
            disabled_at: null,
            last_login_at: null,
          });
        await mailLink(trx, by, 'invite', id, now, { role, again: existing !== undefined });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('That address was invited a moment ago.');
      throw err;
    }
    nudge();
    return { id, email };
  }

  async function mailLink(
    trx: Db,
    by: StaffUser | AuditActor,
    purpose: MailedLinkPurpose,
    userId: string,
    now: Date,
    detail: Record<string, string | boolean>,
  ) {
    const link = await links.issue(trx, purpose, userId, now);
    const kind = purpose === 'invite' ? 'staff_invitation' : 'password_reset';
    await enqueue(trx, kind, { link: link.tokenHash }, now);
    const action = purpose === 'invite' ? 'account_invited' : 'password_reset_sent';
    await appendAudit(trx, { actor: actorOf(by), action, target: target(userId), detail }, now);
    return link;
  }

  /** The role changes and every session of that person ends, so it applies at once. */
  async function changeRole(by: StaffUser | AuditActor, id: string, role: unknown) {
    const parsed = roleField.safeParse(role);
    if (!parsed.success)
      throw invalid('The role was not changed.', { role: parsed.error.issues[0]?.message ?? '' });
    const next = parsed.data;
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const row = await current(trx, id);
      if (row.role === next) return { changed: false, endedSessions: 0 };
      if (row.role === 'admin') await keepAnAdmin(trx, id);
      await repo.updateStaff(trx, id, { role: next });
      const endedSessions = await repo.endSessions(trx, id);
      const detail = { from: row.role, to: next, ended_sessions: endedSessions };
      await appendAudit(
        trx,
        { actor: actorOf(by), action: 'role_changed', target: target(id), detail },
        now,
      );
      return { changed: true, endedSessions };
    });
  }

  /** Disabled: every session ends, sign-in is refused and unused links stop working. */
  async function disable(by: StaffUser | AuditActor, id: string) {
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const row = await current(trx, id);
      if (row.disabled_at) return { changed: false, endedSessions: 0 };
      if (row.role === 'admin') await keepAnAdmin(trx, id);
      await repo.updateStaff(trx, id, { disabled_at: now.toISOString() });
      const endedSessions = await repo.endSessions(trx, id);
      await links.revoke(trx, id, ['invite', 'reset'], now);
      const detail = { ended_sessions: endedSessions };
      await appendAudit(
        trx,
        { actor: actorOf(by), action: 'account_disabled', target: target(id), detail },
        now,
      );
      return { changed: true, endedSessions };
    });
  }

  async function enable(by: StaffUser | AuditActor, id: string) {
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const row = await current(trx, id);
      if (!row.disabled_at) return { changed: false };
      await repo.updateStaff(trx, id, { disabled_at: null });
      await appendAudit(
        trx,
        { actor: actorOf(by), action: 'account_enabled', target: target(id) },
        now,
      );
      return { changed: true };
    });
  }

  /**
   * Mails a password reset link, or a new invitation to someone who has not accepted theirs.
   * `print`: the CLI shows the link instead of mailing it.
   */
  async function sendLink(by: StaffUser | AuditActor, id: string, opts: { print?: boolean } = {}) {
    const now = clock.now();
    const out = await db.transaction().execute(async (trx) => {
      const row = await current(trx, id);
      if (row.disabled_at)
        throw conflict('This account is disabled. Enable it first, then send the link.');
      const purpose: MailedLinkPurpose = row.invited_at ? 'invite' : 'reset';
      if (opts.print) {
        const link = await links.issue(trx, purpose, id, now);
        const action = purpose === 'invite' ? 'account_invited' : 'password_reset_sent';
        await appendAudit(
          trx,
          { actor: actorOf(by), action, target: target(id), detail: { printed: true } },
          now,
        );
        return { purpose, token: link.token };
      }
      await mailLink(trx, by, purpose, id, now, purpose === 'invite' ? { again: true } : {});
      return { purpose, token: undefined };
    });
    if (!opts.print) nudge();
    return out;
  }

  async function current(trx: Db, id: string) {
    const row = await repo.findStaff(trx, id);
    if (!row || row.email.endsWith('@closed.invalid')) throw notFound('That staff member');
    return row;
  }

  /** Refuses a change that would leave no enabled administrator who can sign in. */
  async function keepAnAdmin(trx: Db, leaving: string) {
    const admins = await repo.activeAdminIds(trx);
    if (admins.includes(leaving) && admins.length === 1) throw lastAdmin();
  }

  return { list, get, byEmail, invite, changeRole, disable, enable, sendLink };
}

export type StaffAdmin = ReturnType<typeof createStaffAdmin>;
