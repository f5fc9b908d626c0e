import { staffEmails } from '../accounts/recipients.js';
import type { Config } from '../config/env.js';
import type { Db } from '../db/database.js';
import type { MessageKind } from '../outbox/worker.js';

/**
 * Tells sales that a lead came in: NOTIFY_EMAIL when set, otherwise administrators and sales.
 * A link only: the person's details stay behind the console's login.
 */
export function leadNotificationKind(deps: { db: Db; config: Config }): MessageKind {
  return {
    recipients: () =>
      deps.config.notifyEmail.length > 0
        ? Promise.resolve(deps.config.notifyEmail)
        : staffEmails(deps.db, ['admin', 'sales'], 'account'),
    build({ payload }) {
      const link = `${deps.config.baseUrl}/console/leads/${payload.leadId}`;
      const what = payload.event === 'resubmitted' ? 'An existing lead wrote again' : 'A new lead';
      return Promise.resolve({
        subject: `${what} from the website`,
        text: `${what} came in through the website form.\n\nOpen it in the console:\n${link}\n`,
      });
    },
  };
}
