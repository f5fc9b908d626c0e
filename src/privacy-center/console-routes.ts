import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import { fieldErrors } from '../console/input.js';
import { demand } from '../console/permissions.js';
import { guardConsoleSection, staffOf } from '../console/section.js';
import { loggedRequestBody, type LoggedRequestInput } from './fields.js';
import type { FieldState } from '../web/forms.js';
import { DomainError } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import type { RequestQueue } from './console-service.js';
import { LogRequestPage, QueuePage, RequestPage } from './console-views.js';

/** What was typed, kept for the form shown again (only strings: nothing else is echoed). */
const stringValues = (body: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((body ?? {}) as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf',
    ),
  );

const params = z.object({ id: z.string().min(1).max(64) });
const reasonBody = z.object({ reason: z.unknown(), _csrf: z.string().optional() });
const plainBody = z.object({ _csrf: z.string().optional() });

/** /console/privacy: the request queue, for privacy officers and admins. */
export async function privacyRequestRoutes(
  fastify: FastifyInstance,
  opts: {
    queue: RequestQueue;
    accounts: AccountService;
    logRequest: (input: LoggedRequestInput, staffId: string) => Promise<string>;
  },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const { queue } = opts;
  guardConsoleSection(fastify, opts.accounts);

  const detail = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { error?: string; notice?: string } = {},
  ) => {
    const staff = staffOf(request);
    const view = await queue.detail(staff, id);
    return renderPage(
      reply,
      RequestPage({ site: request.site, staff, csrf: reply.generateCsrf(), view, ...extra }),
    );
  };

  app.get('/console/privacy', async (request, reply) => {
    const staff = staffOf(request);
    const view = await queue.list(staff);
    const logged = (request.query as { logged?: unknown }).logged === '1';
    return renderPage(
      reply,
      QueuePage({ site: request.site, staff, csrf: reply.generateCsrf(), view, logged }),
    );
  });

  const logForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FieldState & { message?: string },
  ) =>
    renderPage(
      reply,
      LogRequestPage({
        site: request.site,
        staff: staffOf(request),
        csrf: reply.generateCsrf(),
        ...state,
      }),
    );

  app.get('/console/privacy/new', async (request, reply) => {
    demand(staffOf(request), 'privacy_requests.act');
    return logForm(request, reply, { values: {}, errors: {} });
  });

  app.post(
    '/console/privacy/new',
    { schema: { body: loggedRequestBody }, attachValidation: true, preHandler: checkCsrf },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'privacy_requests.act');
      if (request.validationError) {
        reply.code(400);
        const { form, ...errors } = fieldErrors(request.validationError, 'form');
        return logForm(request, reply, {
          values: stringValues(request.body),
          errors,
          message: form ?? 'Please correct the highlighted fields.',
        });
      }
      await opts.logRequest(request.body, staff.id);
      return reply.redirect('/console/privacy?logged=1', 303);
    },
  );

  app.get('/console/privacy/:id', { schema: { params } }, async (request, reply) =>
    detail(request, reply, request.params.id),
  );

  // Each answer redirects back to the request; a refusal shows it again with the reason.
  const act = (
    path: string,
    body: typeof reasonBody | typeof plainBody,
    run: (staff: ReturnType<typeof staffOf>, id: string, reason: string) => Promise<void>,
    done: string,
  ) =>
    app.post(
      `/console/privacy/:id/${path}`,
      { schema: { params, body }, preHandler: checkCsrf },
      async (request, reply) => {
        const { id } = request.params;
        const raw = (request.body as { reason?: unknown }).reason;
        try {
          await run(staffOf(request), id, typeof raw === 'string' ? raw : '');
        } catch (err) {
          if (!(err instanceof DomainError) || (err.status !== 400 && err.status !== 409))
            throw err;
          reply.code(err.status);
          return detail(request, reply, id, { error: err.message });
        }
        return reply.redirect(`/console/privacy/${encodeURIComponent(id)}?done=${done}`, 303);
      },
    );

  act('deny', reasonBody, (s, id, reason) => queue.deny(s, id, reason), 'denied');
  act('extend', reasonBody, (s, id, reason) => queue.extend(s, id, reason), 'extended');
  act('delete', plainBody, (s, id) => queue.completeDeletion(s, id), 'deleted');
  act('correct', plainBody, (s, id) => queue.applyCorrection(s, id), 'corrected');
  act('resend', plainBody, (s, id) => queue.resendReport(s, id), 'sent');
}
