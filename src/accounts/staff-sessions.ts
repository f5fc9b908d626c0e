import type { Clock } from '../adapters/clock.js';
import { appendAudit } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type { StaffRole } from '../db/schema.js';
import { DomainError, invalid } from '../web/errors.js';
import type { SecondFactor } from './second-factor.js';
import { wrongCodeMessage } from './second-factor.js';
import { createSessionStore, type LiveSession } from './sessions-store.js';
import { recordLogin } from './repository.js';
import * as repo from './staff-session-repository.js';

// Staff sessions on top of the account-neutral store: who a token signs in, the second step of
// sign-in, the step-up before sensitive actions, and sign-out.

/** Roles that see the most: they cannot use the console before a second factor is set up. */
export const rolesRequiringSecondFactor: readonly StaffRole[] = ['admin', 'privacy'];
export const secondFactorRequired = (role: StaffRole) => rolesRequiringSecondFactor.includes(role);

/** Wrong codes allowed in one sign-in before the password is asked again. */
export const CODE_ATTEMPTS = 5;

export const signInAgainMessage =
  'This sign-in has ended (too many wrong codes, or it waited more than 15 minutes). Sign in again with your password.';
export const wrongPasswordMessage = 'That password is not right. Type it again.';

export interface SessionStaff {
  id: string;
  email: string;
  role: StaffRole;
}

export function createStaffSessions(deps: {
  db: Db;
  clock: Clock;
  secondFactor: () => SecondFactor;
  verifyPassword: (hash: string, password: string) => Promise<boolean>;
}) {
  const { db, clock } = deps;
  const store = createSessionStore({ db, clock, kind: 'staff' });

  /** The session a token opens at any stage, with its staff member; null when there is none. */
  async function sessionState(token: string | undefined, now: Date = clock.now()) {
    const session = await store.find(token, now);
    if (!session) return null;
    const row = await repo.findStaffById(db, session.userId);
    if (!row || row.disabled_at) {
      await store.end(token);
      return null;
    }
    const user: SessionStaff = { id: row.id, email: row.email, role: row.role };
    return { session, user };
  }

  /** The staff member of a fully signed-in session, or null. */
  async function sessionUser(token: string | undefined, now: Date = clock.now()) {
    const state = await sessionState(token, now);
    return state?.session.stage === 'active' ? state.user : null;
  }

  async function recordSignIn(userId: string, how: string, now: Date) {
    await recordLogin(db, userId, now.toISOString());
    await appendAudit(
      db,
      { actor: { kind: 'staff', id: userId }, action: 'login', detail: { second_factor: how } },
      now,
    );
  }

  /**
   * The second step of sign-in: a code from the app or a recovery code. Right: a new token for
   * a full session (the one that waited for the code stops working). Wrong five times: the
   * sign-in ends.
   */
  async function completeSecondFactor(token: string | undefined, code: string, now = clock.now()) {
    const state = await sessionState(token, now);
    if (state?.session.stage !== 'code') throw new DomainError(403, signInAgainMessage);
    const how = await deps.secondFactor().verify(state.user.id, code, now);
    if (!how) {
      if (!(await store.codeFailed(state.session, CODE_ATTEMPTS))) {
        await failure(state.user.id, 'too_many_codes', now);
        throw new DomainError(403, signInAgainMessage);
      }
      await failure(state.user.id, 'wrong_code', now);
      throw invalid(wrongCodeMessage, { code: wrongCodeMessage });
    }
    const fresh = await store.rotate(state.session, now);
    await recordSignIn(state.user.id, how, now);
    return { token: fresh, user: state.user };
  }

  async function failure(userId: string, reason: string, now: Date) {
    const actor = { kind: 'staff' as const, id: userId };
    await appendAudit(db, { actor, action: 'login_failed', detail: { reason } }, now);
  }

  /**
   * Confirms a second factor set up from this session and renews the session: enabling it is a
   * change of privilege. A sign-in that waited for a required enrolment becomes a full one.
   */
  async function finishEnrolment(
    state: { session: LiveSession; user: SessionStaff },
    enrolToken: string,
    code: string,
    now = clock.now(),
  ) {
    const codes = await deps.secondFactor().confirm(state.user.id, enrolToken, code, now);
    const token = await store.rotate(state.session, now);
    if (state.session.stage === 'enrol') await recordSignIn(state.user.id, 'enrolled', now);
    return { token, codes };
  }

  /**
   * Proves again who is at the keyboard before a sensitive action: the second factor, or the
   * password for an account without one. Right: a renewed session, fresh for 15 minutes.
   */
  async function stepUp(state: { session: LiveSession; user: SessionStaff }, proof: string) {
    const now = clock.now();
    const { enabled } = await deps.secondFactor().status(state.user.id);
    let ok: boolean;
    if (enabled) {
      ok = (await deps.secondFactor().verify(state.user.id, proof, now)) !== null;
    } else {
      const hash = await repo.passwordHashOf(db, state.user.id);
      ok = !!hash && (await deps.verifyPassword(hash, proof).catch(() => false));
    }
    if (!ok) {
      const message = enabled ? wrongCodeMessage : wrongPasswordMessage;
      await failure(state.user.id, 'step_up', now);
      throw invalid(message, { proof: message });
    }
    return store.rotate(state.session, now);
  }

  async function logout(token: string | undefined): Promise<void> {
    const userId = await store.end(token);
    if (userId) {
      await appendAudit(
        db,
        { actor: { kind: 'staff', id: userId }, action: 'logout' },
        clock.now(),
      );
    }
  }

  async function endSession(
    state: { session: LiveSession; user: SessionStaff },
    which: 'one' | 'others',
    ref = '',
  ): Promise<number> {
    const ended =
      which === 'others'
        ? await store.revokeOthers(state.user.id, state.session)
        : Number(await store.revoke(state.user.id, ref));
    if (ended > 0) {
      await appendAudit(
        db,
        {
          actor: { kind: 'staff', id: state.user.id },
          action: 'session_ended',
          detail: { which, count: ended },
        },
        clock.now(),
      );
    }
    return ended;
  }

  return {
    sessions: store,
    sessionState,
    sessionUser,
    completeSecondFactor,
    finishEnrolment,
    stepUp,
    logout,
    endSession,
    /** Ends every session of a staff member at once (disabled, role changed, password reset). */
    endAllSessions: (userId: string) => store.endAll(userId),
  };
}
