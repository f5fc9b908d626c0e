import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../adapters/clock.js';
import { SESSION_COOKIE, type AccountService, type StaffUser } from '../accounts/service.js';
import type { Db } from '../db/database.js';
import { DomainError, invalid, wantsJson } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { ConsoleMessagePage, roleLabels } from './layout.js';
import { can, createConsoleService, leadStatuses, userTypes } from './service.js';
import { LeadDetailPage, LeadsPage } from './views.js';

const blank = (v: unknown) => (v === '' ? undefined : v);
const pageMessage = 'The page number must be a whole number, 1 or more.';
const statusMessage = `Status must be one of: ${leadStatuses.join(', ')}.`;

const leadsQuery = z.object({
  status: z.preprocess(blank, z.enum(leadStatuses, { error: statusMessage }).optional()),
  type: z.preprocess(
    blank,
    z.enum(userTypes, { error: `Type must be one of: ${userTypes.join(', ')}.` }).optional(),
  ),
  q: z
    .string({ error: 'Enter one search text.' })
    .trim()
    .max(200, 'Search text is limited to 200 characters.')
    .optional(),
  page: z.preprocess(
    blank,
    z.coerce
      .number({ error: pageMessage })
      .int(pageMessage)
      .min(1, pageMessage)
      .max(1_000_000, pageMessage)
      .optional(),
  ),
});
const leadParams = z.object({ id: z.string().min(1).max(200) });
const statusBody = z.object({
  status: z.enum(leadStatuses, { error: `Choose the new status. ${statusMessage}` }),
  _csrf: z.string().optional(),
});

// Routes the session check must not guard (they live in the accounts plugin; listed in case
// both ever share one encapsulation context).
const open = new Set(['/console/login', '/console/logout']);

export async function consoleRoutes(
  fastify: FastifyInstance,
  opts: { db: Db; accounts: AccountService; clock: Clock },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const service = createConsoleService({ db: opts.db, clock: opts.clock });
  app.addHook('onRequest', sessionGuard(opts.accounts));
  app.setErrorHandler(renderRefusal);

  app.get('/console', async (request, reply) => {
    const staff = staffOf(request);
    if (can(staff, 'leads.read')) return reply.redirect('/console/leads', 303);
    return message(
      request,
      reply,
      'Welcome',
      `You are signed in as ${roleLabels[staff.role]}. The screens for your role are not in the console yet.`,
    );
  });

  app.get(
    '/console/leads',
    { schema: { querystring: leadsQuery }, attachValidation: true },
    async (request, reply) => {
      if (request.validationError) throw invalid(validationMessage(request.validationError));
      const staff = staffOf(request);
      const { status, type, q, page } = request.query;
      const filter = { status, type, q: q || undefined };
      const list = await service.listLeads(staff, filter, page ?? 1);
      const csrf = reply.generateCsrf();
      return renderPage(reply, LeadsPage({ site: request.site, staff, csrf, list, filter }));
    },
  );

  app.get('/console/leads/:id', { schema: { params: leadParams } }, async (request, reply) => {
    const staff = staffOf(request);
    const detail = await service.leadDetail(staff, request.params.id);
    const csrf = reply.generateCsrf();
    return renderPage(reply, LeadDetailPage({ site: request.site, staff, csrf, detail }));
  });

  app.post(
    '/console/leads/:id/status',
    {
      schema: { params: leadParams, body: statusBody },
      attachValidation: true,
      preHandler: checkCsrf,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const { id } = request.params;
      try {
        if (request.validationError) throw invalid(validationMessage(request.validationError));
        await service.changeStatus(staff, id, request.body.status);
        return await reply.redirect(`/console/leads/${encodeURIComponent(id)}`, 303);
      } catch (err) {
        // A refused move shows the lead again with the reason beside the status control.
        if (!(err instanceof DomainError) || (err.status !== 400 && err.status !== 409)) throw err;
        const detail = await service.leadDetail(staff, id);
        reply.code(err.status);
        const csrf = reply.generateCsrf();
        return renderPage(
          reply,
          LeadDetailPage({ site: request.site, staff, csrf, detail, message: err.message }),
        );
      }
    },
  );
}

/** Lets staff with a live session through; sends everyone else to sign in. */
function sessionGuard(accounts: AccountService) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (open.has(request.routeOptions.url ?? '')) return;
    // Pages hold personal data: never kept by browsers or shared caches.
    reply.header('cache-control', 'no-store');
    const token = request.cookies[SESSION_COOKIE];
    const staff = await accounts.sessionUser(token);
    if (staff) {
      request.staff = staff;
      return;
    }
    if (token) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    if (request.method === 'GET' || request.method === 'HEAD') {
      return reply.redirect(`/console/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    reply.code(401);
    const page = ConsoleMessagePage({
      site: request.site,
      staff: null,
      title: 'Please sign in',
      message: 'Your session has ended. Sign in again, then repeat what you were doing.',
      back: { href: '/console/login', label: 'Sign in' },
    });
    return renderPage(reply, page);
  };
}

/** Refusals render inside the console frame; anything else goes on to the app-wide handler. */
function renderRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (!(error instanceof DomainError) || wantsJson(request) || !request.staff) throw error;
  reply.code(error.status);
  return message(request, reply, titleFor(error.status), error.message);
}

function staffOf(request: FastifyRequest): StaffUser {
  // The onRequest hook has already answered any request without a session.
  if (!request.staff) throw new DomainError(403, 'Please sign in.');
  return request.staff;
}

function message(request: FastifyRequest, reply: FastifyReply, title: string, text: string) {
  const staff = request.staff;
  return renderPage(
    reply,
    ConsoleMessagePage({
      site: request.site,
      staff,
      csrf: reply.generateCsrf(),
      title,
      message: text,
      back: can(staff, 'leads.read')
        ? { href: '/console/leads', label: 'Back to leads' }
        : undefined,
    }),
  );
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 403) return 'Not allowed';
  if (status === 409) return 'Changed by someone else';
  return 'We could not do that';
}

function validationMessage(error: { validation: unknown }): string {
  const issues = Array.isArray(error.validation)
    ? (error.validation as FastifySchemaValidationError[])
    : [];
  const messages = [
    ...new Set(issues.map((i) => i.message ?? 'Some of what you sent is not valid.')),
  ];
  return messages.join(' ');
}
