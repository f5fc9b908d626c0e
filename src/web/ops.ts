import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import { knownMigrations } from '../db/migrate.js';

/** Why an instance is not ready: a stable name for machines and a sentence for people. */
export interface NotReady {
  reason:
    | 'database_unreachable'
    | 'migrations_pending'
    | 'outbox_worker_stalled'
    | 'dashboard_cache_cold';
  detail: string;
}

/** A readiness condition beyond the database; answers undefined when it holds. */
export type ReadinessCheck = () => NotReady | undefined | Promise<NotReady | undefined>;

const ok = z.object({ status: z.literal('ok') });
const healthy = JSON.stringify(ok.parse({ status: 'ok' }));
const unavailable = z.object({
  status: z.literal('unavailable'),
  reason: z.string(),
  detail: z.string(),
});

/** Migrations this version knows that the database has not run (none: the schema is current). */
async function pendingMigrations(db: Db): Promise<string[]> {
  const done = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const ran = new Set(done.rows.map((r) => r.name));
  return knownMigrations().filter((m) => !ran.has(m));
}

async function databaseCheck(db: Db): Promise<NotReady | undefined> {
  try {
    await sql`select 1`.execute(db);
  } catch {
    return { reason: 'database_unreachable', detail: 'The database does not answer.' };
  }
  const pending = await pendingMigrations(db).catch(() => knownMigrations());
  if (pending.length === 0) return undefined;
  return {
    reason: 'migrations_pending',
    detail: `${pending.length} migration(s) not yet run, first ${pending[0]}: run \`starspmb migrate\`.`,
  };
}

/**
 * Probes for the process supervisor and load balancer (decision 027). /healthz says the process
 * answers and touches nothing else. /readyz says whether this instance should get traffic: the
 * database answers, its schema is this version's, and every job this instance started is alive
 * (the `checks`: the outbox worker's heartbeat, the dashboard cache warmed after a start). A 503
 * names the first reason that fails.
 */
export async function opsRoutes(
  app: FastifyInstance,
  opts: { db: Db; site: SiteConfig; checks?: ReadinessCheck[] },
) {
  const { db } = opts;

  // Asked every few seconds by every supervisor: a fixed answer, not serialised per request.
  app.get('/healthz', async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(healthy),
  );

  app.get(
    '/readyz',
    { schema: { response: { 200: ok, 503: unavailable } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      let failed = await databaseCheck(db);
      for (const check of opts.checks ?? []) {
        if (failed) break;
        failed = await check();
      }
      if (!failed) return reply.send({ status: 'ok' });
      // The operator reads the cause in the log too; the answer names it without internals.
      request.log.warn({ reason: failed.reason }, `not ready: ${failed.detail}`);
      return reply.code(503).send({ status: 'unavailable', ...failed });
    },
  );
}

/**
 * The outbox worker is alive while its loop beats: a loop stuck longer than `maxSilenceMs` (a
 * hung mail relay, say) makes the instance not ready. A worker never started is not asked about.
 */
export function heartbeatCheck(
  heartbeat: () => Date | undefined,
  clock: { now(): Date },
  maxSilenceMs: number,
): ReadinessCheck {
  return () => {
    const beat = heartbeat();
    if (!beat) return undefined;
    const silentS = Math.round((clock.now().getTime() - beat.getTime()) / 1000);
    if (silentS * 1000 <= maxSilenceMs) return undefined;
    return {
      reason: 'outbox_worker_stalled',
      detail: `The outbox worker has not run for ${silentS} s.`,
    };
  };
}

/**
 * A cache warmed after start: not ready from `start()` until `warm` settles, so a balancer sends
 * no dashboard read to a cold instance. A failed warm-up is logged and the instance serves cold
 * rather than never (the hourly compaction warms it again). Never started: not asked about.
 */
export function warmUp(warm: () => Promise<unknown>, log: { error(o: object, m: string): void }) {
  let state: 'idle' | 'warming' | 'warm' = 'idle';
  return {
    start(): Promise<void> {
      state = 'warming';
      return warm()
        .then(
          () => undefined,
          (err: unknown) => log.error({ err }, 'dashboard cache warm-up failed; serving it cold'),
        )
        .finally(() => {
          state = 'warm';
        });
    },
    check: (): NotReady | undefined =>
      state === 'warming'
        ? { reason: 'dashboard_cache_cold', detail: 'The analytics dashboard cache is warming up.' }
        : undefined,
  };
}
