import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService, StaffUser } from '../accounts/service.js';
import { DomainError, invalid } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { roleLabels } from '../console/layout.js';
import { landingPath } from '../console/permissions.js';
import { blank, pageParam, validationMessage } from '../console/input.js';
import { consoleMessage, guardConsoleSection, staffOf } from '../console/section.js';
import { leadStatuses, userTypes, type ConsoleService } from './service.js';
import { LeadDetailPage, LeadsPage, type LeadPanel } from './console-views.js';

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
  page: pageParam,
});
const leadParams = z.object({ id: z.string().min(1).max(200) });
const statusBody = z.object({
  status: z.enum(leadStatuses, { error: `Choose the new status. ${statusMessage}` }),
  _csrf: z.string().optional(),
});

export async function consoleRoutes(
  fastify: FastifyInstance,
  opts: {
    service: ConsoleService;
    accounts: AccountService;
    /** Sections other capabilities add to a lead's page (legal holds, ...), in this order. */
    leadPanels?: readonly LeadPanel[];
  },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const { service } = opts;
  guardConsoleSection(fastify, opts.accounts);
  const panelsFor = (staff: StaffUser, leadId: string, csrf: string) =>
    Promise.all((opts.leadPanels ?? []).map((panel) => panel(staff, leadId, csrf)));

  app.get('/console', async (request, reply) => {
    const staff = staffOf(request);
    const home = landingPath(staff);
    if (home !== '/console') return reply.redirect(home, 303);
    return consoleMessage(
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
    const panels = await panelsFor(staff, request.params.id, csrf);
    return renderPage(reply, LeadDetailPage({ site: request.site, staff, csrf, detail, panels }));
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
        const panels = await panelsFor(staff, id, csrf);
        return renderPage(
          reply,
          LeadDetailPage({ site: request.site, staff, csrf, detail, panels, message: err.message }),
        );
      }
    },
  );
}
