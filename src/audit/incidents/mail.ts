import type { OutgoingMail } from '../../adapters/mailer.js';
import type { OutboxDeps } from '../../outbox/worker.js';
import { assertReadable } from '../../privacy/access.js';
import { dayOf, daysBetween } from './deadline.js';

/**
 * The reminder email for an incident's notification deadline. It names only the incident and
 * the date; everything else stays behind the console's login.
 */
export async function incidentReminderMail(
  deps: Pick<OutboxDeps, 'db' | 'config' | 'site' | 'clock'>,
  jobId: string,
  payload: Record<string, string>,
): Promise<OutgoingMail | undefined> {
  const to = await privacyOfficers(deps);
  if (to.length === 0) return undefined;
  const deadline = payload.deadline ?? '';
  const link = `${deps.config.baseUrl}/console/incidents/${payload.incidentId}`;
  // Counted when sent, not when queued: a retried email still tells the truth.
  const left = daysBetween(dayOf(deps.clock.now()), deadline);
  const when =
    left > 1
      ? `in ${left} days`
      : left === 1
        ? 'tomorrow'
        : left === 0
          ? 'today'
          : `${-left} days ago`;
  return {
    to,
    subject: `Incident notification deadline ${when} (${deadline})`,
    text:
      `The people affected by an open incident must be notified by ${deadline} (${when}).\n\n` +
      `Open the incident in the console:\n${link}\n`,
    messageId: `<${jobId}@${deps.site.company.domain.replace(/^www\./, '')}>`,
  };
}

// Privacy officers own the deadline; administrators hear of it only when there is no officer,
// so a reminder is never dropped for want of someone to send it to.
async function privacyOfficers(deps: Pick<OutboxDeps, 'db'>): Promise<string[]> {
  assertReadable('staff_users', 'email', 'security');
  for (const role of ['privacy', 'admin'] as const) {
    const rows = await deps.db
      .selectFrom('staff_users')
      .select('email')
      .where('role', '=', role)
      .where('disabled_at', 'is', null)
      .execute();
    if (rows.length > 0) return rows.map((r) => r.email);
  }
  return [];
}
