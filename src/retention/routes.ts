import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { ConsoleMessagePage } from '../console/layout.js';
import { can, demand } from '../console/permissions.js';
import type { LeadPanel } from '../leads/console-views.js';
import { guardConsoleSection, staffOf } from '../console/section.js';
import { DomainError } from '../web/errors.js';
import { renderPage } from '../web/render.js';
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

/** /console/retention: what is due, legal holds, runs; privacy officers and admins. */
export async function retentionRoutes(
  fastify: FastifyInstance,
  opts: { service: RetentionConsole; accounts: AccountService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const { service } = opts;
  guardConsoleSection(fastify, opts.accounts);

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: string; error?: string; holdForm?: HoldFormState } = {},
  ) => {
    const staff = staffOf(request);
    const view = await service.overview(staff);
    const csrf = reply.generateCsrf();
    return renderPage(reply, RetentionPage({ site: request.site, staff, csrf, view, ...extra }));
  };

  app.get('/console/retention', async (request, reply) => page(request, reply));

  app.post(
    '/console/retention/run',
    { schema: { body: runBody }, attachValidation: true, preHandler: checkCsrf },
    async (request, reply) => {
      const staff = staffOf(request);
      if (request.validationError) {
        reply.code(400);
        return page(request, reply, { error: 'Choose "Run now" or "Dry run".' });
      }
      const dryRun = request.body.mode === 'dry_run';
      const report = await service.runNow(staff, dryRun);
      const notice = dryRun
        ? `Dry run: ${report.total} records would be deleted. Nothing was changed.`
        : `Retention run finished: ${report.total} records deleted.`;
      return page(request, reply, { notice });
    },
  );

  app.post(
    '/console/retention/holds',
    {
      schema: {
        body: z.object({
          lead_id: z.unknown().optional(),
          reason: z.unknown().optional(),
          _csrf: z.string().optional(),
        }),
      },
      preHandler: checkCsrf,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'legal_holds.manage');
      const id = leadId.safeParse(request.body.lead_id);
      const why = reason.safeParse(request.body.reason);
      const form: HoldFormState = {
        leadId: typeof request.body.lead_id === 'string' ? request.body.lead_id : '',
        reason: typeof request.body.reason === 'string' ? request.body.reason : '',
        errors: { lead_id: id.error?.issues[0]?.message, reason: why.error?.issues[0]?.message },
      };
      try {
        if (!id.success || !why.success) throw new DomainError(400, 'The hold was not placed.');
        await service.placeHold(staff, { leadId: id.data, reason: why.data });
        return await reply.redirect('/console/retention#holds', 303);
      } catch (err) {
        // The list shows again with the reason beside the field, and what was typed kept.
        if (!(err instanceof DomainError) || err.status !== 400) throw err;
        form.errors.lead_id ??= err.fields.lead_id;
        reply.code(400);
        return page(request, reply, { error: err.message, holdForm: form });
      }
    },
  );

  app.post(
    '/console/leads/:id/holds',
    {
      schema: {
        params: idParams,
        body: z.object({ reason: z.unknown().optional(), _csrf: z.string().optional() }),
      },
      preHandler: checkCsrf,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'legal_holds.manage');
      const lead = request.params.id;
      const why = reason.safeParse(request.body.reason);
      if (!why.success) {
        return refusal(request, reply, why.error.issues[0]?.message ?? 'Give a reason.', lead);
      }
      await service.placeHold(staff, { leadId: lead, reason: why.data });
      return reply.redirect(`/console/leads/${encodeURIComponent(lead)}#hold-h`, 303);
    },
  );

  app.post(
    '/console/retention/holds/:id/release',
    {
      schema: {
        params: idParams,
        body: z.object({ return_to: z.unknown().optional(), _csrf: z.string().optional() }),
      },
      preHandler: checkCsrf,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const hold = await service.releaseHold(staff, request.params.id);
      const back = returnTo.safeParse(request.body.return_to);
      const url =
        back.success && back.data === 'lead'
          ? `/console/leads/${encodeURIComponent(hold.target_id)}#hold-h`
          : '/console/retention#holds';
      return reply.redirect(url, 303);
    },
  );
}

/** A refused hold from a lead's page: the reason, and the way back to that lead. */
function refusal(request: FastifyRequest, reply: FastifyReply, message: string, lead: string) {
  reply.code(400);
  return renderPage(
    reply,
    ConsoleMessagePage({
      site: request.site,
      staff: request.staff,
      csrf: reply.generateCsrf(),
      title: 'The hold was not placed',
      message,
      back: {
        href: `/console/leads/${encodeURIComponent(lead)}#hold-h`,
        label: 'Back to the lead',
      },
    }),
  );
}

/** The legal-hold section of a lead's page, shown to staff who may place holds. */
export function leadHoldPanel(service: RetentionConsole): LeadPanel {
  return async (staff, leadId, csrf) =>
    can(staff, 'legal_holds.manage')
      ? LeadHoldPanel({ leadId, holds: await service.leadHolds(staff, leadId), csrf, staff })
      : null;
}
