import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { ConsoleMessagePage, type ConsoleFrame } from '../console/layout.js';
import { can } from '../console/permissions.js';
import { confirmed } from '../console/confirm.js';
import { correctFields, registerConsoleRoutes, route } from '../console/route-table.js';
import type { LeadPanel } from '../leads/console-views.js';
import type { RetentionConsole } from './console-service.js';
import { HOLD_REASON_MAX, LeadHoldPanel, type HoldFormState } from './hold-views.js';
import { RetentionPage } from './views.js';

const reason = z
  .string({ error: 'Give a reason for the hold.' })
  .trim()
  .min(3, 'Give a reason for the hold: the matter or case reference.')
  .max(HOLD_REASON_MAX, `Keep the reason to ${HOLD_REASON_MAX} characters.`);
const leadId = z
  .string({ error: 'Enter the lead id.' })
  .trim()
  .min(1, 'Enter the lead id.')
  .max(64, 'A lead id is at most 64 characters. Copy it from the lead’s page.');
const idParams = z.object({ id: z.string().min(1).max(64) });
const runBody = z.object({
  mode: z.enum(['run', 'dry_run'], { error: 'Choose "Run now" or "Dry run".' }).default('run'),
  _csrf: z.string().optional(),
});
const returnTo = z.enum(['retention', 'lead']).default('retention');
const holdBody = z.object({ lead_id: leadId, reason, _csrf: z.string().optional() });

/** /console/retention: what is due, legal holds, runs; privacy officers and admins. */
export async function retentionRoutes(
  fastify: FastifyInstance,
  opts: { service: RetentionConsole; accounts: AccountService },
) {
  const { service } = opts;
  const page = async (
    frame: ConsoleFrame,
    extra: { notice?: string; error?: string; holdForm?: HoldFormState } = {},
  ) => {
    const view = await service.overview(frame.staff);
    return { page: RetentionPage({ ...frame, view, ...extra }) };
  };
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const atLead = (id: string) => `/console/leads/${encodeURIComponent(id)}#hold-h`;

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/retention',
      access: 'retention.read',
      handler: ({ frame }) => page(frame()),
    }),
    route({
      method: 'POST',
      url: '/console/retention/run',
      access: 'retention.run',
      body: runBody,
      handler: async ({ frame, staff, body }) => {
        const dryRun = body.mode === 'dry_run';
        const report = await service.runNow(staff, dryRun);
        const notice = dryRun
          ? `Dry run: ${report.total} records would be deleted. Nothing was changed.`
          : `Retention run finished: ${report.total} records deleted.`;
        return page(frame(), { notice });
      },
      refused: ({ frame }, err) => page(frame(), { error: err.fields.mode ?? err.message }),
    }),
    route({
      method: 'POST',
      url: '/console/retention/holds',
      access: 'legal_holds.manage',
      body: holdBody,
      handler: async ({ staff, body }) => {
        await service.placeHold(staff, { leadId: body.lead_id, reason: body.reason });
        return { redirect: '/console/retention#holds' };
      },
      // The list shows again with the reason beside the field, and what was typed kept.
      refused: ({ frame, sent }, err) => {
        const { lead_id, reason } = err.fields;
        const holdForm = {
          leadId: text(sent.lead_id),
          reason: text(sent.reason),
          errors: { lead_id, reason },
        };
        const error = err.message === correctFields ? 'The hold was not placed.' : err.message;
        return page(frame(), { error, holdForm });
      },
    }),
    route({
      method: 'POST',
      url: '/console/leads/:id/holds',
      access: 'legal_holds.manage',
      params: idParams,
      body: z.object({ reason, _csrf: z.string().optional() }),
      handler: async ({ staff, params, body }) => {
        await service.placeHold(staff, { leadId: params.id, reason: body.reason });
        return { redirect: atLead(params.id) };
      },
      // A refused hold from a lead's page: the reason, and the way back to that lead.
      refused: ({ request, reply, params }, err) => ({
        page: ConsoleMessagePage({
          site: request.site,
          staff: request.staff,
          csrf: reply.generateCsrf(),
          title: 'The hold was not placed',
          message: err.fields.reason ?? err.message,
          back: { href: atLead(params.id), label: 'Back to the lead' },
        }),
      }),
    }),
    route({
      method: 'POST',
      url: '/console/retention/holds/:id/release',
      access: 'legal_holds.manage',
      params: idParams,
      body: z.object({
        confirm: confirmed,
        return_to: z.unknown().optional(),
        _csrf: z.string().optional(),
      }),
      handler: async ({ staff, params, body }) => {
        const hold = await service.releaseHold(staff, params.id);
        const back = returnTo.safeParse(body.return_to);
        const toLead = back.success && back.data === 'lead';
        return { redirect: toLead ? atLead(hold.target_id) : '/console/retention#holds' };
      },
    }),
  ]);
}

/** The legal-hold section of a lead's page, shown to staff who may place holds. */
export function leadHoldPanel(service: RetentionConsole): LeadPanel {
  return async (staff, leadId, csrf) =>
    can(staff, 'legal_holds.manage')
      ? LeadHoldPanel({ leadId, holds: await service.leadHolds(staff, leadId), csrf, staff })
      : null;
}
