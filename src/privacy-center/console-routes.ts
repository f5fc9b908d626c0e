import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService, StaffUser } from '../accounts/service.js';
import { confirmed } from '../console/confirm.js';
import type { ConsoleFrame } from '../console/layout.js';
import { correctFields, registerConsoleRoutes, route, sentText } from '../console/route-table.js';
import { loggedRequestBody, type LoggedRequestInput } from './fields.js';
import type { FieldState } from '../web/forms.js';
import type { RequestQueue } from './console-service.js';
import { LogRequestPage, QueuePage, RequestPage } from './console-views.js';

const params = z.object({ id: z.string().min(1).max(64) });
const reasonBody = z.object({ reason: z.unknown(), _csrf: z.string().optional() });
const plainBody = z.object({ _csrf: z.string().optional() });
const confirmedBody = z.object({ confirm: confirmed, _csrf: z.string().optional() });
const queueQuery = z.object({ logged: z.unknown().optional() });

type Act = (staff: StaffUser, id: string, reason: string) => Promise<void>;
type ActBody = typeof reasonBody | typeof plainBody | typeof confirmedBody;

/** /console/privacy: the request queue, for privacy officers and admins. */
export async function privacyRequestRoutes(
  fastify: FastifyInstance,
  opts: {
    queue: RequestQueue;
    accounts: AccountService;
    logRequest: (input: LoggedRequestInput, staffId: string) => Promise<string>;
  },
) {
  const { queue } = opts;
  const detail = async (frame: ConsoleFrame, id: string, extra: { error?: string } = {}) => {
    const view = await queue.detail(frame.staff, id);
    return { page: RequestPage({ ...frame, view, ...extra }) };
  };
  const logForm = (frame: ConsoleFrame, state: FieldState & { message?: string }) => ({
    page: LogRequestPage({ ...frame, ...state }),
  });

  // Each answer redirects back to the request; a refusal shows it again with the reason.
  // `fresh`: an erasure cannot be undone, so the second factor is asked again (step-up).
  const act = (path: string, body: ActBody, run: Act, done: string, fresh = false) =>
    route({
      method: 'POST',
      url: `/console/privacy/:id/${path}`,
      access: 'privacy_requests.act',
      fresh,
      params,
      body,
      handler: async ({ staff, params: { id }, body: sent }) => {
        const reason = 'reason' in sent && typeof sent.reason === 'string' ? sent.reason : '';
        await run(staff, id, reason);
        return { redirect: `/console/privacy/${encodeURIComponent(id)}?done=${done}` };
      },
      refusedStatuses: [400, 409],
      // These forms have no fields to mark: say what was wrong in words.
      refused: ({ frame, params: { id } }, err) =>
        detail(frame(), id, {
          error: err.message === correctFields ? Object.values(err.fields).join(' ') : err.message,
        }),
    });

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/privacy',
      access: 'privacy_requests.read',
      query: queueQuery,
      handler: async ({ frame, staff, query }) => {
        const view = await queue.list(staff);
        return { page: QueuePage({ ...frame(), view, logged: query.logged === '1' }) };
      },
    }),
    route({
      method: 'GET',
      url: '/console/privacy/new',
      access: 'privacy_requests.act',
      handler: ({ frame }) => logForm(frame(), { values: {}, errors: {} }),
    }),
    route({
      method: 'POST',
      url: '/console/privacy/new',
      access: 'privacy_requests.act',
      body: loggedRequestBody,
      handler: async ({ staff, body }) => {
        await opts.logRequest(body, staff.id);
        return { redirect: '/console/privacy?logged=1' };
      },
      refused: ({ frame, sent }, err) =>
        logForm(frame(), { values: sentText(sent), errors: err.fields, message: err.message }),
    }),
    route({
      method: 'GET',
      url: '/console/privacy/:id',
      access: 'privacy_requests.read',
      params,
      handler: ({ frame, params: { id } }) => detail(frame(), id),
    }),
    act('deny', reasonBody, (s, id, reason) => queue.deny(s, id, reason), 'denied'),
    act('extend', reasonBody, (s, id, reason) => queue.extend(s, id, reason), 'extended'),
    act('delete', confirmedBody, (s, id) => queue.completeDeletion(s, id), 'deleted', true),
    act('correct', plainBody, (s, id) => queue.applyCorrection(s, id), 'corrected'),
    act('resend', plainBody, (s, id) => queue.resendReport(s, id), 'sent'),
  ]);
}
