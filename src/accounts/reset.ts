import type { Clock } from '../adapters/clock.js';
import { appendAudit } from '../audit/log.js';
import type { Db } from '../db/database.js';
import { enqueue } from '../outbox/repository.js';
import { DomainError, invalid, type FieldErrors } from '../web/errors.js';
import { createAccountLinks, type MailedLinkPurpose } from './links.js';
import { hashPassword, passwordProblem } from './passwords.js';
import * as repo from './users-repository.js';
import { staffEmail, staffName, statusOf } from './users-service.js';

// What a one-time link opens: "forgot password" (asked by anyone, answered the same for every
// address), choosing a new password from a reset link, and accepting an invitation. A link that
// is expired, used, tampered with, or whose account was disabled opens nothing and changes nothing.

/** Reset mails one account may be sent per hour, whoever asks: a mailbox is not a target. */
export const RESETS_PER_HOUR = 3;

export const linkInvalidMessage = 'This link is no longer valid.';
export class LinkInvalidError extends DomainError {
  constructor() {
    super(404, linkInvalidMessage);
  }
}

export interface LinkFlowDeps {
  db: Db;
  clock: Clock;
  secret: string;
  onCommit?: () => void;
}

export function createLinkFlows(deps: LinkFlowDeps) {
  const { db, clock } = deps;
  const links = createAccountLinks(deps.secret);
  const nudge = deps.onCommit ?? (() => undefined);

  /**
   * "Forgot password?": mails a link when the address is an enabled account's, and does nothing
   * otherwise; the caller answers the same either way. A malformed address is refused (that says
   * nothing about anyone's account).
   */
  async function requestReset(email: unknown): Promise<void> {
    const parsed = staffEmail.safeParse(email);
    if (!parsed.success) {
      throw invalid('Check the email address.', {
        email: parsed.error.issues[0]?.message ?? 'Enter a valid email address.',
      });
    }
    const now = clock.now();
    const row = await repo.findStaffByEmail(db, parsed.data);
    if (!row || statusOf(row) !== 'active') return;
    const since = new Date(now.getTime() - 3_600_000);
    if ((await links.recentCount(db, 'reset', row.id, since)) >= RESETS_PER_HOUR) return;
    await db.transaction().execute(async (trx) => {
      const link = await links.issue(trx, 'reset', row.id, now);
      await enqueue(trx, 'password_reset', { link: link.tokenHash }, now);
      await appendAudit(
        trx,
        {
          actor: { kind: 'anonymous' },
          action: 'password_reset_sent',
          target: { type: 'staff_user', id: row.id },
          detail: { via: 'forgot_password' },
        },
        now,
      );
    });
    nudge();
  }

  /** The account a live link opens, or LinkInvalidError. */
  async function open(purpose: MailedLinkPurpose, token: string) {
    const link = await links.find(db, purpose, token, clock.now());
    const row = link ? await repo.findStaff(db, link.user_id) : undefined;
    const usable =
      row && (purpose === 'invite' ? statusOf(row) === 'invited' : statusOf(row) === 'active');
    if (!link || !row || !usable) throw new LinkInvalidError();
    return { id: row.id, email: row.email, name: row.name ?? '', role: row.role };
  }

  /** A new password from a reset link: every session of the account ends with the old one. */
  async function completeReset(
    token: string,
    input: { password: string; passwordConfirm: string },
  ) {
    const user = await open('reset', token);
    const password = checkPasswords(input, user.email);
    const hash = await hashPassword(password);
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      if (!(await links.claim(trx, 'reset', token, now))) throw new LinkInvalidError();
      await repo.setPassword(trx, user.id, hash);
      const ended = await repo.endSessions(trx, user.id);
      await links.revoke(trx, user.id, ['reset'], now);
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: user.id },
          action: 'password_reset',
          target: { type: 'staff_user', id: user.id },
          detail: { ended_sessions: ended },
        },
        now,
      );
    });
    return user;
  }

  /** Accepting an invitation: the invited person's name and password; the account is active. */
  async function acceptInvitation(
    token: string,
    input: { name: string; password: string; passwordConfirm: string },
  ) {
    const user = await open('invite', token);
    const name = staffName.safeParse(input.name);
    const fields: FieldErrors = name.success ? {} : { name: name.error.issues[0]?.message ?? '' };
    const password = checkPasswords(input, user.email, fields, 'Your account was not set up yet.');
    const hash = await hashPassword(password);
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      if (!(await links.claim(trx, 'invite', token, now))) throw new LinkInvalidError();
      const row = await repo.findStaff(trx, user.id);
      if (!row || statusOf(row) !== 'invited') throw new LinkInvalidError();
      await repo.setPassword(trx, user.id, hash, { name: name.data ?? null, invited_at: null });
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: user.id },
          action: 'invitation_accepted',
          target: { type: 'staff_user', id: user.id },
          detail: { role: row.role },
        },
        now,
      );
    });
    return user;
  }

  return { requestReset, open, completeReset, acceptInvitation };
}

/** The new password, or a 400 naming what to change beside each field. */
function checkPasswords(
  input: { password: string; passwordConfirm: string },
  email: string,
  fields: FieldErrors = {},
  message = 'Your password was not changed.',
): string {
  const problem = passwordProblem(input.password, { email });
  if (problem) fields.password = problem;
  else if (input.password !== input.passwordConfirm)
    fields.passwordConfirm = 'The two passwords do not match.';
  if (Object.keys(fields).length > 0) throw invalid(message, fields);
  return input.password;
}

export type LinkFlows = ReturnType<typeof createLinkFlows>;
