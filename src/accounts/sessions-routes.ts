import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerConsoleRoutes, route } from '../console/route-table.js';
import { liveSession } from '../console/section.js';
import { notFound } from '../web/errors.js';
import type { AccountService } from './service.js';
import { SessionsPage } from './sessions-views.js';

// /console/account/sessions: the signed-in member's own sessions, and signing them out. A
// session is named by a reference derived from its hash, and only the member's own are found:
// another account's reference is "not found", and nothing ends.

const doneQuery = z.object({ done: z.unknown().optional() });
const revokeBody = z.object({
  session: z.string({ error: 'Choose a session.' }).regex(/^[0-9a-f]{32}$/, 'Choose a session.'),
  _csrf: z.string().optional(),
});
const plainBody = z.object({ _csrf: z.string().optional() }).optional();
const done: Record<string, string> = {
  one: 'That session is signed out.',
  others: 'Every other session is signed out.',
};

export async function sessionRoutes(fastify: FastifyInstance, opts: { accounts: AccountService }) {
  const { accounts } = opts;

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/account/sessions',
      access: 'console.enter',
      query: doneQuery,
      handler: async ({ frame, request, query }) => {
        const { session, user } = liveSession(request);
        const sessions = await accounts.sessions.list(user.id, session);
        const message = typeof query.done === 'string' ? done[query.done] : undefined;
        return { page: SessionsPage({ ...frame(), sessions, done: message }) };
      },
    }),
    route({
      method: 'POST',
      url: '/console/account/sessions/revoke',
      access: 'console.enter',
      body: revokeBody,
      handler: async ({ request, body }) => {
        const ended = await accounts.endSession(liveSession(request), 'one', body.session);
        if (ended === 0) throw notFound('That session');
        return { redirect: '/console/account/sessions?done=one' };
      },
    }),
    route({
      method: 'POST',
      url: '/console/account/sessions/revoke-others',
      access: 'console.enter',
      body: plainBody,
      handler: async ({ request }) => {
        await accounts.endSession(liveSession(request), 'others');
        return { redirect: '/console/account/sessions?done=others' };
      },
    }),
  ]);
}
