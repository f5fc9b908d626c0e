import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { blank, isoDate, optionalWholeNumber, validationMessage } from '../console/input.js';
import { guardConsoleSection, staffOf } from '../console/section.js';
import { invalid } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { auditActions } from './log.js';
import type { AuditService } from './service.js';
import { AuditPage } from './views.js';

const seq = optionalWholeNumber(
  'The page position must be a whole number, 1 or more.',
  1,
  Number.MAX_SAFE_INTEGER,
);
const text = (max: number, what: string) =>
  z.preprocess(
    blank,
    z
      .string({ error: `Enter one ${what}.` })
      .trim()
      .max(max, `The ${what} is limited to ${max} characters.`)
      .optional(),
  );

const auditQuery = z.object({
  action: z.preprocess(
    blank,
    z
      .enum(auditActions, { error: `Action must be one of: ${auditActions.join(', ')}.` })
      .optional(),
  ),
  actor: text(254, 'staff email or id'),
  target: text(64, 'record id'),
  from: z.preprocess(blank, isoDate('“from” date').optional()),
  to: z.preprocess(blank, isoDate('“to” date').optional()),
  before: seq,
  after: seq,
});

export async function auditRoutes(
  fastify: FastifyInstance,
  opts: { service: AuditService; accounts: AccountService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { service } = opts;
  guardConsoleSection(fastify, opts.accounts);

  app.get(
    '/console/audit',
    { schema: { querystring: auditQuery }, attachValidation: true },
    async (request, reply) => {
      if (request.validationError) throw invalid(validationMessage(request.validationError));
      const staff = staffOf(request);
      const q = request.query;
      const query = { ...q, actor: q.actor || undefined, target: q.target || undefined };
      const list = await service.listEntries(staff, query);
      const csrf = reply.generateCsrf();
      return renderPage(reply, AuditPage({ site: request.site, staff, csrf, list, query }));
    },
  );
}
