import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../adapters/clock.js';
import type { Mailer, OutgoingMail } from '../adapters/mailer.js';
import { loginAlertMail } from '../accounts/alert-mail.js';
import { incidentReminderMail } from '../audit/incidents/mail.js';
import { privacyMail } from '../privacy-center/mail.js';
import type { Kernel } from '../privacy/kernel.js';
import type { Config } from '../config/env.js';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import { assertReadable } from '../privacy/access.js';
import { dueJobs, markFailed, markSent, type OutboxKind } from './repository.js';

export interface OutboxDeps {
  db: Db;
  mailer: Mailer;
  clock: Clock;
  config: Config;
  site: SiteConfig;
  log: FastifyBaseLogger;
  /** Opens the sealed address a privacy-request mail goes to. */
  kernel: Kernel;
  /** Derives the link tokens of privacy-request mails from their stored nonces. */
  secret: string;
}

const LEASE_MS = 5 * 60_000;
const backoffMs = (attempts: number) => Math.min(2 ** attempts * 30_000, 60 * 60_000);

/** Sends outbox rows with retries; safe on several instances because each row is leased first. */
export function createOutboxWorker(deps: OutboxDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function claim(id: string, now: Date): Promise<boolean> {
    const res = await deps.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(now.getTime() + LEASE_MS).toISOString() })
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .where('next_attempt_at', '<=', now.toISOString())
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async function runOnce(): Promise<number> {
    const now = deps.clock.now();
    let sent = 0;
    for (const job of await dueJobs(deps.db, now, 20)) {
      if (!(await claim(job.id, now))) continue;
      try {
        const mail = await buildMail(
          deps,
          job.id,
          job.kind,
          JSON.parse(job.payload) as Record<string, string>,
        );
        if (mail) await deps.mailer.send(mail);
        await markSent(deps.db, job.id, deps.clock.now());
        sent++;
      } catch (err) {
        const attempts = job.attempts + 1;
        const retryAt = new Date(deps.clock.now().getTime() + backoffMs(attempts));
        await markFailed(deps.db, job.id, attempts, retryAt, (err as Error).message);
        deps.log.warn({ job: job.id, attempts, err: (err as Error).message }, 'outbox send failed');
      }
    }
    return sent;
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err: unknown) => {
          deps.log.error({ err }, 'outbox run failed');
          return 0;
        })
        .finally(() => schedule(deps.config.outboxPollMs));
    }, delay);
    timer.unref();
  }

  return {
    runOnce,
    start: () => schedule(0),
    /** Called after a commit that enqueued mail, so it goes now rather than at the next poll. */
    nudge: () => {
      if (!running) schedule(0);
      else void running.then(() => schedule(0));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;

async function buildMail(
  deps: OutboxDeps,
  jobId: string,
  kind: OutboxKind,
  payload: Record<string, string>,
): Promise<OutgoingMail | undefined> {
  switch (kind) {
    case 'lead_notification': {
      const to = await staffRecipients(deps);
      if (to.length === 0) return undefined;
      const link = `${deps.config.baseUrl}/console/leads/${payload.leadId}`;
      const what = payload.event === 'resubmitted' ? 'An existing lead wrote again' : 'A new lead';
      // A link only: the person's details stay behind the console's login.
      return {
        to,
        subject: `${what} from the website`,
        text: `${what} came in through the website form.\n\nOpen it in the console:\n${link}\n`,
        messageId: `<${jobId}@${deps.site.company.domain.replace(/^www\./, '')}>`,
      };
    }
    case 'incident_reminder':
      return incidentReminderMail(deps, jobId, payload);
    case 'login_alert':
      return loginAlertMail(deps, jobId, payload);
    case 'privacy_verify':
    case 'privacy_receipt':
    case 'privacy_response':
    case 'privacy_reminder':
    case 'privacy_new_request':
      return privacyMail(deps, jobId, kind, payload);
  }
}

async function staffRecipients(deps: OutboxDeps): Promise<string[]> {
  if (deps.config.notifyEmail.length > 0) return deps.config.notifyEmail;
  assertReadable('staff_users', 'email', 'account');
  const rows = await deps.db
    .selectFrom('staff_users')
    .select('email')
    .where('role', 'in', ['admin', 'sales'])
    .where('disabled_at', 'is', null)
    .execute();
  return rows.map((r) => r.email);
}
