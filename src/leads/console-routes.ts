import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { ConsoleFrame } from '../console/layout.js';
import { blank, pageParam } from '../console/input.js';
import { registerConsoleRoutes, route } from '../console/route-table.js';
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
  const { service } = opts;
  const detailPage = async (frame: ConsoleFrame, id: string, message?: string) => {
    const detail = await service.leadDetail(frame.staff, id);
    const panels = await Promise.all(
      (opts.leadPanels ?? []).map((panel) => panel(frame.staff, id, frame.csrf)),
    );
    return { page: LeadDetailPage({ ...frame, detail, panels, message }) };
  };

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/leads',
      access: 'leads.read',
      query: leadsQuery,
      handler: async ({ query, frame }) => {
        const filter = { status: query.status, type: query.type, q: query.q || undefined };
        const list = await service.listLeads(frame().staff, filter, query.page ?? 1);
        return { page: LeadsPage({ ...frame(), list, filter }) };
      },
    }),
    route({
      method: 'GET',
      url: '/console/leads/:id',
      access: 'leads.read',
      params: leadParams,
      handler: ({ params, frame }) => detailPage(frame(), params.id),
    }),
    route({
      method: 'POST',
      url: '/console/leads/:id/status',
      access: 'leads.update_status',
      params: leadParams,
      body: statusBody,
      handler: async ({ params, body, staff }) => {
        await service.changeStatus(staff, params.id, body.status);
        return { redirect: `/console/leads/${encodeURIComponent(params.id)}` };
      },
      // A refused move shows the lead again with the reason beside the status control.
      refusedStatuses: [400, 409],
      refused: ({ params, frame }, err) =>
        detailPage(frame(), params.id, err.fields.status ?? err.message),
    }),
  ]);
}
