import type { Clock } from '../adapters/clock.js';
import type { Config } from '../config/env.js';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import type { MessageKind, OutboxJob } from '../outbox/worker.js';
import { assertReadable } from '../privacy/access.js';
import { roleLabels } from '../console/layout.js';
import { secretLink } from '../privacy/secret-paths.js';
import { createAccountLinks, type MailedLinkPurpose } from './links.js';
import { statusOf } from './users-service.js';
import { findStaff } from './users-repository.js';

// The mails that carry a one-time account link, to the account's own address. The outbox row
// holds only the link's hash; the token is derived again here from the nonce and the app secret,
// and a link that was used, replaced or has expired by the time the mail goes is not sent.

interface LinkMailDeps {
  db: Db;
  site: SiteConfig;
  config: Config;
  clock: Clock;
  secret: string;
}

const when = (iso: string) => `${iso.slice(11, 16)} UTC on ${iso.slice(0, 10)}`;

function linkKind(deps: LinkMailDeps, purpose: MailedLinkPurpose): MessageKind {
  const links = createAccountLinks(deps.secret);
  async function resolve(job: OutboxJob) {
    const link = await links.tokenOf(deps.db, purpose, job.payload.link ?? '', deps.clock.now());
    if (!link) return undefined;
    assertReadable('staff_users', 'email', 'account');
    const user = await findStaff(deps.db, link.userId);
    const wanted = purpose === 'invite' ? 'invited' : 'active';
    return user && statusOf(user) === wanted ? { link, user } : undefined;
  }
  return {
    async recipients(job) {
      const found = await resolve(job);
      return found ? [found.user.email] : [];
    },
    async build(job) {
      const found = await resolve(job);
      if (!found) return undefined;
      const { link, user } = found;
      const name = deps.site.company.name;
      const route = purpose === 'invite' ? 'staffInvitation' : 'passwordReset';
      const url = `${deps.config.baseUrl.replace(/\/$/, '')}${secretLink(route, link.token)}`;
      if (purpose === 'invite') {
        return {
          subject: `You are invited to the ${name} staff console`,
          text:
            `An administrator invited you to the ${name} staff console as ${roleLabels[user.role]}.\n\n` +
            `To accept, open this link and choose your password. It works once, until ${when(link.expiresAt)} (72 hours after it was sent):\n\n` +
            `${url}\n\n` +
            'If you did not expect this invitation, ignore this email: no account opens without the link.\n',
        };
      }
      return {
        subject: `Reset your ${name} staff console password`,
        text:
          `Someone asked to reset the password of your ${name} staff account, you or an administrator.\n\n` +
          `To choose a new password, open this link. It works once, until ${when(link.expiresAt)} (30 minutes after it was sent):\n\n` +
          `${url}\n\n` +
          'Choosing a new password signs you out everywhere. If you did not ask for this, ignore this email: your password stays as it is.\n',
      };
    },
  };
}

/** The outbox kinds of account links, registered by src/app.ts. */
export function accountLinkKinds(deps: LinkMailDeps) {
  return {
    staff_invitation: linkKind(deps, 'invite'),
    password_reset: linkKind(deps, 'reset'),
  };
}
