import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
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
const LIVENESS_TYPE = 'application/json; charset=utf-8';

/**
 * A server whose requests for /healthz are answered before Fastify sees them: the liveness probe
 * says only that the process answers, so it needs no hook, session, cookie or route lookup, and
 * a supervisor asking every few seconds neither fills the access log nor counts in /metrics. It
 * carries the security headers of every response. Once the app closes (\`closing()\`), the probe
 * goes to Fastify, which answers 503.
 */
export function answerLivenessFirst(
  securityHeaders: readonly [string, string][],
  closing: () => boolean,
): NonNullable<FastifyServerOptions['serverFactory']> {
  const headers: OutgoingHttpHeaders = {
    ...Object.fromEntries(securityHeaders),
    'cache-control': 'no-store',
    'content-type': LIVENESS_TYPE,
    'content-length': Buffer.byteLength(healthy),
  };
  return (handler, options) => {
    const server = createServer((req, res) => {
      const live =
        (req.method === 'GET' || req.method === 'HEAD') && req.url === '/healthz' && !closing();
      if (!live) return handler(req, res);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : healthy);
    });
    // The timeouts Fastify sets on a server it makes itself (its lib/server.js).
    const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = options;
    if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
    if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
    if (typeof connectionTimeout === 'number') server.setTimeout(connectionTimeout);
    if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0)
      server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };
}
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

  // Over HTTP the probe is answered before the framework (answerLivenessFirst); this route
  // answers the same for in-process requests, and while the server closes (503 then).
  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').type(LIVENESS_TYPE).send(healthy),
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
