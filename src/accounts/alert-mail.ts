import type { SiteConfig } from '../config/site.js';
import type { Config } from '../config/env.js';
import type { Db } from '../db/database.js';
import type { MessageKind } from '../outbox/worker.js';
import { assertReadable } from '../privacy/access.js';
import { THROTTLE_WINDOW_MS } from './throttle.js';

const minutes = THROTTLE_WINDOW_MS / 60_000;

/**
 * Tells a staff member, at their own address, that sign-in to their account is failing. It
 * carries no password, no address of the source and not the email typed: only that it happened,
 * when, and whether one network or many were throttled, which is what the owner can act on.
 */
export function loginAlertKind(deps: { db: Db; site: SiteConfig; config: Config }): MessageKind {
  return {
    async recipients({ payload }) {
      assertReadable('staff_users', 'email', 'security');
      const user = await deps.db
        .selectFrom('staff_users')
        .select(['email', 'disabled_at'])
        .where('id', '=', payload.userId ?? '')
        .executeTakeFirst();
      return user && !user.disabled_at ? [user.email] : [];
    },
    build({ payload }) {
      const at = new Date(payload.at ?? '');
      const when = Number.isNaN(at.getTime())
        ? 'recently'
        : `at ${at.toISOString().slice(11, 16)} UTC on ${at.toISOString().slice(0, 10)}`;
      const effect =
        payload.scope === 'account'
          ? `They came from many networks, so sign-in to your account is paused everywhere, yours included, for up to ${minutes} minutes.`
          : `They came from one network, which may not sign in to your account for up to ${minutes} minutes. Signing in from anywhere else works as usual.`;
      return Promise.resolve({
        subject: `Failed sign-in attempts on your ${deps.site.company.name} staff account`,
        text:
          `Someone failed to sign in to your staff account several times with a wrong password, ${when}.\n\n` +
          `${effect}\n\n` +
          'If it was you, there is nothing to do. If it was not, your password was not revealed; ' +
          'tell an administrator, who can reset it if you are unsure.\n\n' +
          `${deps.config.baseUrl}/console/login\n`,
      });
    },
  };
}
