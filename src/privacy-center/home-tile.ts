import type { Clock } from '../adapters/clock.js';
import { addDays } from '../adapters/dates.js';
import type { HomeTile } from '../console/home.js';
import type { Db } from '../db/database.js';
import { REMINDER_DAYS_LEFT } from './deadlines.js';
import { deadlineCounts } from './repository.js';

/** Verified requests whose 45-day deadline is past or within the reminder window. */
export function dueRequestsTile(deps: { db: Db; clock: Clock }): HomeTile {
  return {
    needs: 'privacy_requests.read',
    load: async () => {
      const now = deps.clock.now();
      const { overdue, dueSoon } = await deadlineCounts(
        deps.db,
        now.toISOString(),
        addDays(now, REMINDER_DAYS_LEFT).toISOString(),
      );
      return {
        label: 'Privacy requests due soon or overdue',
        count: overdue + dueSoon,
        detail:
          overdue > 0
            ? `${overdue} overdue, ${dueSoon} due within ${REMINDER_DAYS_LEFT} days`
            : `Due within ${REMINDER_DAYS_LEFT} days`,
        href: '/console/privacy',
        urgency: overdue > 0 ? 'late' : dueSoon > 0 ? 'due' : 'calm',
      };
    },
  };
}
