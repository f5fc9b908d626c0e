import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { blank, isoDate, optionalWholeNumber } from '../console/input.js';
import { registerConsoleRoutes, route } from '../console/route-table.js';
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
  const { service } = opts;
  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/audit',
      access: 'audit.read',
      query: auditQuery,
      handler: async ({ frame, staff, query: q }) => {
        const query = { ...q, actor: q.actor || undefined, target: q.target || undefined };
        const list = await service.listEntries(staff, query);
        return { page: AuditPage({ ...frame(), list, query }) };
      },
    }),
  ]);
}
