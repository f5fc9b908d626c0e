import type { Clock } from '../adapters/clock.js';
import { DAY_MS, longDate } from '../adapters/dates.js';
import type { HomeTile } from '../console/home.js';
import type { Db } from '../db/database.js';
import { recentRuns } from './repository.js';

/** The scheduler runs daily; two days without a finished run means deletions are late. */
export function retentionTile(deps: { db: Db; clock: Clock }): HomeTile {
  return {
    needs: 'retention.read',
    load: async () => {
      const [last] = await recentRuns(deps.db, 1);
      const age = last ? deps.clock.now().getTime() - new Date(last.started_at).getTime() : 0;
      const detail = !last
        ? 'No run yet'
        : last.error
          ? `Last run failed (${longDate(last.started_at)})`
          : `Last run: ${longDate(last.started_at)}`;
      return {
        label: 'Retention',
        count: null,
        detail,
        href: '/console/retention',
        urgency: !last ? 'due' : last.error || age > 2 * DAY_MS ? 'late' : 'calm',
      };
    },
  };
}
