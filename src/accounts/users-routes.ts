import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ConsoleFrame } from '../console/layout.js';
import { registerConsoleRoutes, route, sentText } from '../console/route-table.js';
import { SESSION_COOKIE, type AccountService } from './service.js';
import type { StaffAdmin } from './users-service.js';
import { DisableConfirmPage, StaffDetailPage, StaffListPage, userPath } from './users-views.js';

// /console/users: administrators manage staff accounts (docs/staff-accounts.md). Thin routes:
// each calls one method of the staff service, which holds the rules and writes the audit log.

const csrf = z.string().optional();
const idParams = z.object({ id: z.string().min(1).max(64) });
// Outcomes are named by a word in the address after a redirect, never by anyone's data.
const notices = {
  invited: 'Invitation sent. The link works for 72 hours.',
  role: 'Role changed. They were signed out and sign in again with the new role.',
  same_role: 'That is already their role; nothing changed.',
  disabled: 'Account disabled. Their sessions have ended and sign-in is refused.',
  enabled: 'Account enabled. They can sign in again.',
  reset: 'Password reset link sent. It works for 30 minutes.',
  reinvited: 'A new invitation was sent. The old link no longer works.',
} as const;
const doneQuery = z.object({
  done: z.enum(Object.keys(notices) as [keyof typeof notices]).optional(),
});
const inviteBody = z.object({
  name: z.unknown().optional(),
  email: z.unknown().optional(),
  role: z.unknown().optional(),
  _csrf: csrf,
});
const roleBody = z.object({ role: z.unknown().optional(), _csrf: csrf });
const confirmBody = z.object({
  confirm: z.literal('yes', { error: 'Confirm on the page that asks before disabling.' }),
  _csrf: csrf,
});
const plainBody = z.object({ _csrf: csrf }).optional();

export async function staffRoutes(
  fastify: FastifyInstance,
  opts: { users: StaffAdmin; accounts: AccountService },
) {
  const { users } = opts;
  const list = async (
    frame: ConsoleFrame,
    extra: Partial<Parameters<typeof StaffListPage>[0]> = {},
  ) => ({
    page: StaffListPage({
      ...frame,
      rows: await users.list(),
      invite: { values: {}, errors: {} },
      ...extra,
    }),
  });
  const detail = async (
    frame: ConsoleFrame,
    id: string,
    extra: { notice?: string; error?: string } = {},
  ) => ({
    page: StaffDetailPage({ ...frame, row: await users.get(id), ...extra }),
  });
  const done = (id: string, what: keyof typeof notices) => ({
    redirect: `${userPath(id)}?done=${what}`,
  });

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/users',
      access: 'users.manage',
      query: doneQuery,
      handler: ({ frame, query }) =>
        list(frame(), { notice: query.done ? notices[query.done] : undefined }),
    }),
    route({
      method: 'POST',
      url: '/console/users/invite',
      access: 'users.manage',
      body: inviteBody,
      handler: async ({ staff, body }) => {
        await users.invite(staff, body);
        return { redirect: '/console/users?done=invited' };
      },
      // The list again, the form keeping what was typed, each reason beside its field.
      refused: ({ frame, sent }, err) =>
        list(frame(), {
          error: err.message,
          invite: { values: sentText(sent), errors: err.fields },
        }),
    }),
    route({
      method: 'GET',
      url: '/console/users/:id',
      access: 'users.manage',
      params: idParams,
      query: doneQuery,
      handler: ({ frame, params, query }) =>
        detail(frame(), params.id, { ...(query.done ? { notice: notices[query.done] } : {}) }),
    }),
    route({
      method: 'POST',
      url: '/console/users/:id/role',
      access: 'users.manage',
      // Changes who may do what: asks for the second factor again after 15 minutes.
      fresh: true,
      params: idParams,
      body: roleBody,
      handler: async ({ staff, params, body, reply }) => {
        const result = await users.changeRole(staff, params.id, body.role);
        // Their own role: this session has ended with the others; sign in again to go on.
        if (result.changed && params.id === staff.id) {
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
          return { redirect: '/console/login' };
        }
        return done(params.id, result.changed ? 'role' : 'same_role');
      },
      refusedStatuses: [400, 409],
      refused: ({ frame, params }, err) =>
        detail(frame(), params.id, { error: err.fields.role ?? err.message }),
    }),
    route({
      method: 'GET',
      url: '/console/users/:id/disable',
      access: 'users.manage',
      params: idParams,
      handler: async ({ frame, params }) => ({
        page: DisableConfirmPage({ ...frame(), row: await users.get(params.id) }),
      }),
    }),
    route({
      method: 'POST',
      url: '/console/users/:id/disable',
      access: 'users.manage',
      // Changes who may do what: asks for the second factor again after 15 minutes.
      fresh: true,
      params: idParams,
      body: confirmBody,
      handler: async ({ staff, params, reply }) => {
        await users.disable(staff, params.id);
        if (params.id === staff.id) {
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
          return { redirect: '/console/login' };
        }
        return done(params.id, 'disabled');
      },
      refusedStatuses: [400, 409],
      refused: ({ frame, params }, err) => detail(frame(), params.id, { error: err.message }),
    }),
    route({
      method: 'POST',
      url: '/console/users/:id/enable',
      access: 'users.manage',
      params: idParams,
      body: plainBody,
      handler: async ({ staff, params }) => {
        await users.enable(staff, params.id);
        return done(params.id, 'enabled');
      },
    }),
    route({
      method: 'POST',
      url: '/console/users/:id/send-link',
      access: 'users.manage',
      params: idParams,
      body: plainBody,
      handler: async ({ staff, params }) => {
        const sent = await users.sendLink(staff, params.id);
        return done(params.id, sent.purpose === 'invite' ? 'reinvited' : 'reset');
      },
      refusedStatuses: [409],
      refused: ({ frame, params }, err) => detail(frame(), params.id, { error: err.message }),
    }),
  ]);
}
