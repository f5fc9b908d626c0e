import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config/env.js';
import { secretLink, secretRoute } from '../privacy/secret-paths.js';
import { DomainError, sendError, wantsJson, type FieldErrors } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import { saveChoices, type ChoicesDeps } from './choices.js';
import { choicesBody, requestBody } from './fields.js';
import { writeChoices, type BrowserChoices } from '../privacy/signals.js';
import {
  ChoicesSavedPage,
  ConfirmPage,
  InvalidLinkPage,
  ReportPage,
  SentPage,
  StatusPage,
} from './link-views.js';
import type { LinkState, PrivacyCenter } from './service.js';
import { PrivacyCenterPage } from './views.js';

const tokenParams = z.object({ token: z.string().max(200) });

/** /privacy-center: requests (verified by an emailed link) and choices (no verification). */
/** Records a browser's cookie choice and sets its cookies (src/cookies/routes.ts). */
type SaveBrowserChoice = (
  request: FastifyRequest,
  reply: FastifyReply,
  wanted: { analytics: boolean; advertising: boolean; gpc: boolean },
  source: 'privacy_center',
) => Promise<BrowserChoices>;

export async function privacyCenterRoutes(
  fastify: FastifyInstance,
  opts: {
    center: PrivacyCenter;
    choices: ChoicesDeps;
    config: Config;
    saveBrowserChoice: SaveBrowserChoice;
  },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { center, config } = opts;
  const secure = config.baseUrl.startsWith('https:');
  const rateLimit = {
    max: config.intake.rateLimit,
    timeWindow: config.intake.rateWindow,
    errorResponseBuilder: () =>
      Object.assign(
        new Error(
          'You have sent this form several times in a short while. Please wait a few minutes and try again.',
        ),
        { statusCode: 429 },
      ),
  };

  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { request?: Form; choices?: Form; token?: string } = {},
  ) => {
    reply.header('cache-control', 'no-store');
    return renderPage(
      reply,
      PrivacyCenterPage({
        site: request.site,
        token: extra.token ?? center.issueToken(),
        gpc: request.privacy.gpc,
        browser: request.privacy.choices,
        request: extra.request ?? { values: {}, errors: {} },
        choices: extra.choices ?? { values: {}, errors: {} },
      }),
    );
  };

  /** Refused input: 400 with each problem by its field, as JSON or as the page again. */
  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    raw: Record<string, string>,
    place: (form: Form) => Parameters<typeof page>[2],
  ) => {
    const form = formErrors(request.validationError?.validation, raw);
    if (wantsJson(request))
      return sendError(request, reply, 400, form.message ?? correctFields, form.errors);
    reply.code(400);
    return page(request, reply, place(form));
  };

  app.get('/privacy-center', async (request, reply) => page(request, reply));

  app.post(
    '/privacy-center/request',
    { schema: { body: requestBody }, attachValidation: true, config: { rateLimit } },
    async (request, reply) => {
      const raw = stringValues(request.body);
      if (request.validationError)
        return refused(request, reply, raw, (form) => ({
          request: form,
          ...(raw.formToken ? { token: raw.formToken } : {}),
        }));
      try {
        await center.submitRequest(request.body);
      } catch (err) {
        if (!(err instanceof DomainError) || wantsJson(request)) throw err;
        reply.code(err.status);
        return page(request, reply, { request: { values: raw, errors: {}, message: err.message } });
      }
      if (wantsJson(request)) return reply.code(202).send({ status: 'sent_if_on_file' });
      return reply.redirect('/privacy-center/sent', 303);
    },
  );

  app.get('/privacy-center/sent', async (request, reply) =>
    renderPage(reply, SentPage({ site: request.site, gpc: request.privacy.gpc })),
  );

  app.post(
    '/privacy-center/choices',
    { schema: { body: choicesBody }, attachValidation: true, config: { rateLimit } },
    async (request, reply) => {
      if (request.validationError)
        return refused(request, reply, stringValues(request.body), (form) => ({ choices: form }));
      const before = request.privacy.choices;
      const next = await saveChoices(opts.choices, request.body, before, request.privacy.gpc);
      // The cookie radios here are the banner's choice by another door: recorded the same way.
      if (next.analytics !== before.analytics || next.advertising !== before.advertising) {
        const wanted = {
          analytics: next.analytics === 'granted',
          advertising: next.advertising === 'granted',
          gpc: request.privacy.gpc,
        };
        await opts.saveBrowserChoice(request, reply, wanted, 'privacy_center');
      } else writeChoices(reply, next, secure);
      if (wantsJson(request)) return reply.send({ status: 'saved' });
      return reply.redirect('/privacy-center/choices/saved', 303);
    },
  );

  app.get('/privacy-center/choices/saved', async (request, reply) =>
    renderPage(reply, ChoicesSavedPage({ site: request.site, gpc: request.privacy.gpc })),
  );

  const show = (request: FastifyRequest, reply: FastifyReply, token: string, state: LinkState) => {
    reply.header('cache-control', 'no-store');
    const base = { site: request.site, gpc: request.privacy.gpc };
    switch (state.kind) {
      case 'invalid':
        reply.code(404);
        return renderPage(reply, InvalidLinkPage(base));
      case 'confirm':
      case 'confirm_email':
        return renderPage(
          reply,
          ConfirmPage({
            ...base,
            token,
            request: state.request,
            newEmail: state.kind === 'confirm_email',
          }),
        );
      case 'status':
        return renderPage(reply, StatusPage({ ...base, request: state.request }));
      case 'report':
        return center
          .report(token)
          .then(({ report, request: r }) =>
            renderPage(reply, ReportPage({ ...base, token, report, until: r.report_until })),
          );
    }
  };

  app.get(
    secretRoute('privacyRequest'),
    { schema: { params: tokenParams } },
    async (request, reply) =>
      show(request, reply, request.params.token, await center.linkState(request.params.token)),
  );

  app.post(
    secretRoute('privacyRequest'),
    { schema: { params: tokenParams }, config: { rateLimit } },
    async (request, reply) => {
      const { token } = request.params;
      const state = await center.confirm(token, {
        gpc: request.privacy.gpc,
        overrode: request.gpcOverrode,
      });
      if (state.kind === 'invalid') return show(request, reply, token, state);
      return reply.redirect(secretLink('privacyRequest', token), 303);
    },
  );

  app.get(
    secretRoute('privacyRequest', '/report.json'),
    { schema: { params: tokenParams } },
    async (request, reply) => {
      const { report } = await center.report(request.params.token);
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', 'attachment; filename="my-information.json"');
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2));
    },
  );
}

type Form = { values: Record<string, string>; errors: FieldErrors; message?: string | undefined };

function stringValues(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

const correctFields = 'Please correct the highlighted fields.';

function formErrors(validation: unknown, values: Record<string, string>): Form {
  const { fields, general } = readIssues(validation);
  return {
    values,
    errors: fields,
    message: general.length ? general.join(' ') : correctFields,
  };
}
