import type { FastifyBaseLogger } from 'fastify';
import { intervalJob } from '../adapters/interval-job.js';
import type { Db } from '../db/database.js';
import { enqueue } from '../outbox/repository.js';
import { addDays, addHours } from '../adapters/dates.js';
import { LINK_HOURS, REMINDER_DAYS_LEFT, REPORT_DAYS_MAX } from './deadlines.js';
import { claimReminder, deleteExpiredUnverified, requestsToRemind } from './repository.js';

/**
 * Queues one reminder to privacy staff for each open request with 10 days or fewer left, once
 * per due date (an extension earns a new one). Safe to run twice, and on several instances: the
 * claim and the mail commit together, and only one run can claim a request's due date.
 */
export async function duePrivacyReminders(db: Db, now: Date): Promise<number> {
  const rows = await requestsToRemind(db, addDays(now, REMINDER_DAYS_LEFT).toISOString());
  let queued = 0;
  for (const r of rows) {
    const claimed = await db.transaction().execute(async (trx) => {
      if (!(await claimReminder(trx, r.id, r.due_at))) return false;
      await enqueue(trx, 'privacy_reminder', { requestId: r.id, due: r.due_at }, now);
      return true;
    });
    if (claimed) queued++;
  }
  return queued;
}

/**
 * Keeps the request log to what it is for. A request never confirmed is dropped once its link is
 * a day past expiry (no one proved it was theirs); a closed request drops the address and the
 * corrected value once its answer and report link have had their time, keeping the log itself.
 */
export async function minimisePrivacyRequests(
  db: Db,
  now: Date,
): Promise<{ unverified: number; minimised: number }> {
  const unverified = await deleteExpiredUnverified(
    db,
    addHours(now, -2 * LINK_HOURS).toISOString(),
  );
  const res = await db
    .updateTable('privacy_requests')
    .set({ email: null, email_index: null, correction_value: null })
    .where('closed_at', '<=', addDays(now, -REPORT_DAYS_MAX).toISOString())
    .where('email', 'is not', null)
    .executeTakeFirst();
  return { unverified, minimised: Number(res.numUpdatedRows) };
}

/**
 * A timer beside the outbox worker: reminders and minimisation every `intervalMs`, plus other
 * deadline reminders (incidents) that queue mail the same way. Each task is safe to run twice.
 */
export function createPrivacyJobs(deps: {
  db: Db;
  clock: { now(): Date };
  log: FastifyBaseLogger;
  intervalMs: number;
  onQueued?: () => void;
  alsoRemind?: ((now: Date) => Promise<number>)[];
  /** Scheduled runs take this lease first, so one instance reminds (decision 027). */
  lease?: () => Promise<boolean>;
}) {
  async function runOnce(): Promise<void> {
    const now = deps.clock.now();
    let queued = await duePrivacyReminders(deps.db, now);
    for (const remind of deps.alsoRemind ?? []) queued += await remind(now);
    await minimisePrivacyRequests(deps.db, now);
    if (queued > 0) deps.onQueued?.();
  }
  return intervalJob(runOnce, {
    intervalMs: deps.intervalMs,
    log: deps.log,
    failed: 'privacy jobs failed',
    ...(deps.lease ? { lease: deps.lease } : {}),
  });
}
