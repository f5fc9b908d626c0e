import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';

const status = (value: string) => z.object({ status: z.literal(value) });

/**
 * Probes for the process supervisor and load balancer. /healthz says the process answers;
 * /readyz also asks the database, so an instance that lost it is taken out of rotation
 * instead of failing every form post.
 */
export async function opsRoutes(app: FastifyInstance, opts: { db: Db; site: SiteConfig }) {
  const { db } = opts;

  app.get('/healthz', { schema: { response: { 200: status('ok') } } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { response: { 200: status('ok'), 503: status('unavailable') } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await sql`select 1`.execute(db);
        return reply.send({ status: 'ok' });
      } catch (err) {
        // The cause goes to the log for the operator; the probe answer stays terse.
        request.log.warn({ err }, 'readiness check failed: database unreachable');
        return reply.code(503).send({ status: 'unavailable' });
      }
    },
  );
}
