import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../adapters/clock.js';
import { can } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import { addDays } from '../adapters/dates.js';
import { REMINDER_DAYS_LEFT } from './deadlines.js';
import { deadlineCounts } from './repository.js';

// Every console page a privacy officer or administrator opens starts with the requests that are
// overdue or due within 10 days: a 45-day deadline must not depend on someone opening the queue.

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function DeadlineAlert({ overdue, dueSoon }: { overdue: number; dueSoon: number }) {
  const parts = [
    overdue > 0 ? `${plural(overdue, 'privacy request is', 'privacy requests are')} overdue` : '',
    dueSoon > 0
      ? `${plural(dueSoon, 'privacy request is', 'privacy requests are')} due within ${REMINDER_DAYS_LEFT} days`
      : '',
  ].filter(Boolean);
  return (
    <p class={overdue > 0 ? 'console-alert deadline-alert' : 'notice deadline-alert'} role="status">
      {`${parts.join('; ')}. `}
      <a href="/console/privacy">Open the privacy requests</a>
    </p>
  );
}

export const deadlineAlertPlugin = fp(
  async (app: FastifyInstance, deps: { db: Db; clock: Clock }) => {
    // preHandler: after each console section's session guard has named the staff member.
    // Synchronous for every request but a privacy officer's console page: an async hook costs
    // a promise on every public page too.
    app.addHook('preHandler', (request, _reply, done) => {
      const staff = request.staff;
      if (request.method !== 'GET' || !staff || !can(staff, 'privacy_requests.read')) return done();
      if (!request.url.startsWith('/console')) return done();
      const now = deps.clock.now();
      deadlineCounts(
        deps.db,
        now.toISOString(),
        addDays(now, REMINDER_DAYS_LEFT).toISOString(),
      ).then(
        (counts) => {
          if (counts.overdue + counts.dueSoon > 0)
            request.pageExtras = { ...(request.pageExtras ?? {}), top: DeadlineAlert(counts) };
          done();
        },
        (err: Error) => done(err),
      );
    });
  },
);
