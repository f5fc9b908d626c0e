import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../accounts/service.js';
import { registerConsoleRoutes, route } from '../console/route-table.js';
import type { OperationsService } from './service.js';
import { OperationsPage } from './views.js';

export async function operationsRoutes(
  fastify: FastifyInstance,
  opts: { accounts: AccountService; service: OperationsService },
) {
  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/operations',
      access: 'operations.read',
      handler: async ({ frame }) => ({
        page: OperationsPage({
          ...frame(),
          failing: await opts.service.failing(),
          backups: opts.service.backups(),
        }),
      }),
    }),
  ]);
}
