import type { Clock } from '../../adapters/clock.js';
import { calendarDay, calendarDaysBetween } from '../../adapters/dates.js';
import type { HomeTile } from '../../console/home.js';
import type { Db } from '../../db/database.js';
import { openDeadlines } from './repository.js';
import { daysLeftText } from './views.js';

/** Open incidents, with the nearest notification deadline. */
export function openIncidentsTile(deps: { db: Db; clock: Clock }): HomeTile {
  return {
    needs: 'incidents.manage',
    load: async () => {
      const open = await openDeadlines(deps.db);
      const today = calendarDay(deps.clock.now());
      const nearest = Math.min(...open.map((i) => calendarDaysBetween(today, i.deadline_on)));
      return {
        label: open.length === 1 ? 'Open incident' : 'Open incidents',
        count: open.length,
        detail: open.length > 0 ? `Nearest notice deadline: ${daysLeftText(nearest)}` : undefined,
        href: '/console/incidents',
        urgency: open.length === 0 ? 'calm' : nearest < 0 ? 'late' : 'due',
      };
    },
  };
}
