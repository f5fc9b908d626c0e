import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { blank } from '../console/input.js';
import type { ConsoleFrame } from '../console/layout.js';
import { registerConsoleRoutes, route, sentText } from '../console/route-table.js';
import { leadStatuses, userTypes } from './service.js';
import type { LeadFilter } from './repository.js';
import { disclosureBases, type DisclosureBasis } from '../privacy/vocabulary.js';
import { csvRoute } from '../web/csv.js';
import type { DomainError } from '../web/errors.js';
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

export async function exportRoutes(
  fastify: FastifyInstance,
  opts: { service: ExportService; accounts: AccountService; clock: Clock },
) {
  const { service } = opts;
  /** The form; once a recipient is chosen, what may be sent to it (its evidence, for a third party). */
  const form = async (frame: ConsoleFrame, values: Record<string, string>, err?: DomainError) => {
    const errors = err?.fields ?? {};
    const message = err && !Object.keys(errors).length ? err.message : undefined;
    const { recipient, status, type, q } = values;
    const page = ExportPage({
      ...frame,
      recipients: await service.recipients(),
      options: recipient
        ? await service.optionsFor(recipient, { status, type, q } as LeadFilter)
        : undefined,
      state: { values, errors },
      message,
    });
    return { page };
  };

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/leads/export',
      access: 'leads.export',
      // A file of people's data leaves the console: the second factor is asked again (step-up).
      fresh: true,
      query: exportQuery,
      handler: ({ frame, query }) => form(frame(), sentText(query)),
    }),
    route({
      method: 'POST',
      url: '/console/leads/export',
      access: 'leads.export',
      fresh: true,
      body: exportBody,
      config: csvRoute,
      handler: async ({ staff, body: b }) => {
        const file = await service.exportLeads(staff, {
          recipientId: b.recipient,
          basis: b.basis,
          evidence: b.evidence,
          purpose: b.purpose,
          filter: { status: b.status, type: b.type, q: b.q },
        });
        return { csv: { filename: file.filename, rows: file.rows } };
      },
      refused: ({ frame, sent }, err) => form(frame(), sentText(sent), err),
    }),
  ]);
}
