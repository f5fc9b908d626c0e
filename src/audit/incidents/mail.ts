import type { Clock } from '../../adapters/clock.js';
import { privacyOfficers } from '../../accounts/recipients.js';
import type { Config } from '../../config/env.js';
import type { Db } from '../../db/database.js';
import type { MessageKind } from '../../outbox/worker.js';
import { calendarDay, calendarDaysBetween } from '../../adapters/dates.js';

/**
 * The reminder email for an incident's notification deadline, to the privacy officers. It names
 * only the incident and the date; everything else stays behind the console's login.
 */
export function incidentReminderKind(deps: { db: Db; config: Config; clock: Clock }): MessageKind {
  return {
    recipients: () => privacyOfficers(deps.db),
    build({ payload }) {
      const deadline = payload.deadline ?? '';
      const link = `${deps.config.baseUrl}/console/incidents/${payload.incidentId}`;
      // Counted when sent, not when queued: a retried email still tells the truth.
      const left = calendarDaysBetween(calendarDay(deps.clock.now()), deadline);
      const when =
        left > 1
          ? `in ${left} days`
          : left === 1
            ? 'tomorrow'
            : left === 0
              ? 'today'
              : `${-left} days ago`;
      return Promise.resolve({
        subject: `Incident notification deadline ${when} (${deadline})`,
        text:
          `The people affected by an open incident must be notified by ${deadline} (${when}).\n\n` +
          `Open the incident in the console:\n${link}\n`,
      });
    },
  };
}
