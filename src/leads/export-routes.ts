import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { demand } from '../console/permissions.js';
import { blank, fieldErrors } from '../console/input.js';
import { guardConsoleSection, staffOf } from '../console/section.js';
import { leadStatuses, userTypes } from './service.js';
import type { LeadFilter } from './repository.js';
import { disclosureBases, type DisclosureBasis } from '../privacy/vocabulary.js';
import { csvRoute, sendCsv } from '../web/csv.js';
import { DomainError } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { exportPurposes, type ExportPurpose, type ExportService } from './export-service.js';
import { ExportPage } from './export-views.js';

const filter = {
  status: z.preprocess(blank, z.enum(leadStatuses).optional()),
  type: z.preprocess(blank, z.enum(userTypes).optional()),
  q: z.preprocess(blank, z.string().trim().max(200).optional()),
};
const bases = Object.keys(disclosureBases) as [DisclosureBasis, ...DisclosureBasis[]];
const purposes = Object.keys(exportPurposes) as [ExportPurpose, ...ExportPurpose[]];
const exportQuery = z.object({
  ...filter,
  recipient: z.preprocess(blank, z.string().max(64).optional()),
});
const exportBody = z.object({
  ...filter,
  recipient: z
    .string({ error: 'Choose who receives the file.' })
    .min(1, 'Choose who receives the file.')
    .max(64),
  purpose: z.enum(purposes, { error: 'Choose why the file is needed.' }),
  // A service provider's basis; a third party's comes from the evidence record chosen.
  basis: z.preprocess(
    blank,
    z.enum(bases, { error: 'Choose the legal basis from the list.' }).optional(),
  ),
  evidence: z.preprocess(blank, z.string().max(36).optional()),
  _csrf: z.string().optional(),
});

/** Strings only, to put back in the form. */
const valuesOf = (body: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((body ?? {}) as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );

export async function exportRoutes(
  fastify: FastifyInstance,
  opts: { service: ExportService; accounts: AccountService; clock: Clock },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  guardConsoleSection(fastify, opts.accounts);
  const { service } = opts;

  app.get(
    '/console/leads/export',
    { schema: { querystring: exportQuery } },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'leads.export');
      const state = { values: valuesOf(request.query), errors: {} };
      const { recipient, ...f } = request.query;
      const page = ExportPage({
        site: request.site,
        staff,
        csrf: reply.generateCsrf(),
        recipients: await service.recipients(),
        options: recipient ? await service.optionsFor(recipient, f) : undefined,
        state,
      });
      return renderPage(reply, page);
    },
  );

  app.post(
    '/console/leads/export',
    {
      schema: { body: exportBody },
      attachValidation: true,
      preHandler: fastify.csrfProtection.bind(fastify),
      config: csvRoute,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'leads.export');
      const values = valuesOf(request.body);
      try {
        if (request.validationError)
          throw new DomainError(
            400,
            'Please correct the highlighted fields.',
            fieldErrors(request.validationError, 'form'),
          );
        const b = request.body;
        const file = await service.exportLeads(staff, {
          recipientId: b.recipient,
          basis: b.basis,
          evidence: b.evidence,
          purpose: b.purpose,
          filter: { status: b.status, type: b.type, q: b.q },
        });
        return await sendCsv(reply, file.filename, file.rows);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status !== 400) throw err;
        reply.code(400);
        const state = { values, errors: err.fields };
        const message = Object.keys(err.fields).length ? undefined : err.message;
        const { status, type, q } = values;
        const page = ExportPage({
          site: request.site,
          staff,
          csrf: reply.generateCsrf(),
          recipients: await service.recipients(),
          options: values.recipient
            ? await service.optionsFor(values.recipient, { status, type, q } as LeadFilter)
            : undefined,
          state,
          message,
        });
        return renderPage(reply, page);
      }
    },
  );
}
