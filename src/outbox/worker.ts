import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../adapters/clock.js';
import type { Mailer, OutgoingMail } from '../adapters/mailer.js';
import type { Config } from '../config/env.js';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import { dueJobs, markFailed, markSent, type OutboxKind } from './repository.js';

/** One queued job as its kind sees it: the row's id and the payload its capability queued. */
export interface OutboxJob {
  id: string;
  payload: Record<string, string>;
}

/** What a kind builds; the outbox adds the addressees and the Message-ID. */
export type OutboxMessage = Omit<OutgoingMail, 'to' | 'messageId'>;

/**
 * A kind of mail, registered by the capability that queues it (src/app.ts), so the outbox knows
 * how to send and whom to, but not what any capability's mail says or who its staff are.
 */
export interface MessageKind {
  /** Who receives it; nobody means the job is done without sending. */
  recipients(job: OutboxJob): Promise<string[]>;
  /** The message for these recipients, or undefined when it no longer applies. */
  build(job: OutboxJob, to: string[]): Promise<OutboxMessage | undefined>;
}

/** Every kind the outbox table may hold, each with its owner's builder. */
export type MessageKinds = Record<OutboxKind, MessageKind>;

export interface OutboxDeps {
  db: Db;
  mailer: Mailer;
  clock: Clock;
  config: Config;
  site: SiteConfig;
  log: FastifyBaseLogger;
  kinds: MessageKinds;
  /** The scheduled loop sends only while this lease holds (one sender, decision 027). */
  lease?: () => Promise<boolean>;
}

const LEASE_MS = 5 * 60_000;
const backoffMs = (attempts: number) => Math.min(2 ** attempts * 30_000, 60 * 60_000);

/** Sends outbox rows with retries; safe on several instances because each row is leased first. */
export function createOutboxWorker(deps: OutboxDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;
  // Readiness (decision 027): when the loop last showed it was alive; undefined until started.
  let beatAt: Date | undefined;
  const beat = () => {
    if (beatAt) beatAt = deps.clock.now();
  };

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
    beat();
    let sent = 0;
    for (const job of await dueJobs(deps.db, now, 20)) {
      beat();
      if (!(await claim(job.id, now))) continue;
      try {
        const mail = await buildMail(deps, job.kind, {
          id: job.id,
          payload: JSON.parse(job.payload) as Record<string, string>,
        });
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
      // An instance that does not hold the lease still beats: it is alive, just not sending.
      beat();
      const leased = deps.lease ? deps.lease() : Promise.resolve(true);
      running = leased
        .then((held) => (held ? runOnce() : 0))
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
    start: () => {
      beatAt = deps.clock.now();
      schedule(0);
    },
    /** When the started loop last ran or finished a job; undefined when it was never started. */
    heartbeat: () => (stopped ? undefined : beatAt),
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
  kind: OutboxKind,
  job: OutboxJob,
): Promise<OutgoingMail | undefined> {
  const registered = deps.kinds[kind] as MessageKind | undefined;
  // A row of a kind nobody registered stays queued and says why, rather than vanishing.
  if (!registered) throw new Error(`no message kind registered for ${kind}`);
  const to = await registered.recipients(job);
  if (to.length === 0) return undefined;
  const message = await registered.build(job, to);
  if (!message) return undefined;
  // Stable across retries, so a receiving system can drop a duplicate.
  return {
    ...message,
    to,
    messageId: `<${job.id}@${deps.site.company.domain.replace(/^www\./, '')}>`,
  };
}
