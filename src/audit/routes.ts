import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { guardConsoleSection, staffOf, validationMessage } from '../console/section.js';
import type { Db } from '../db/database.js';
import { invalid } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { auditActions } from './log.js';
import { createAuditService } from './service.js';
import { AuditPage } from './views.js';

const blank = (v: unknown) => (v === '' ? undefined : v);

/** A calendar date as YYYY-MM-DD that really exists (no 31 June). */
export const isoDate = (what: string) =>
  z
    .string({ error: `Enter the ${what} as a date, such as 2026-03-31.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${what} as a date, such as 2026-03-31.`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00.000Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, `The ${what} is not a real calendar date.`);

const seqMessage = 'The page position must be a whole number, 1 or more.';
const seq = z.preprocess(
  blank,
  z.coerce
    .number({ error: seqMessage })
    .int(seqMessage)
    .min(1, seqMessage)
    .max(Number.MAX_SAFE_INTEGER, seqMessage)
    .optional(),
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
  opts: { db: Db; accounts: AccountService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const service = createAuditService({ db: opts.db });
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
