import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config/env.js';
import { DomainError, sendError, wantsJson, type FieldErrors } from '../web/errors.js';
import { createPageCache, renderPage, slot, type PageCache } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import type { SiteConfig } from '../config/site.js';
import { campaignTags, fieldOrder, intakeBody, userTypes } from './fields.js';
import type { IntakeLimits } from './rate-limit.js';
import type { HealthFlag } from './health-data.js';
import { expiredFormMessage } from '../web/form-token.js';
import { cleanReferrer, type IntakeService } from './service.js';
import { IntakeFormPage, ThanksPage } from './views.js';

const landingQuery = z.object({
  ...Object.fromEntries(
    campaignTags.map((t) => [t, z.string().max(300).optional().catch(undefined)]),
  ),
  // A link may open the form for one type of user (the partners page does).
  type: z.enum(userTypes).optional().catch(undefined),
});

export async function intakeRoutes(
  fastify: FastifyInstance,
  opts: {
    intake: IntakeService;
    config: Config;
    /** Per-source bounds on accepted submissions and on posts (src/intake/rate-limit.ts). */
    limits: IntakeLimits;
    /** After a lead is stored: applies GPC and the person's stored opt-outs to this browser. */
    onAccepted?: (
      request: FastifyRequest,
      reply: FastifyReply,
      leadId: string,
      who: { email: string; phone?: string | undefined },
    ) => Promise<void>;
    /** Rendered pages by variant (src/web/render.ts). */
    pages?: PageCache;
  },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { intake, config, limits } = opts;
  const pages = opts.pages ?? createPageCache();
  const formPage = (site: SiteConfig) => ({
    site,
    consent: intake.consentTexts,
    values: {},
    errors: {},
  });

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    extra: { errors?: FieldErrors; message?: string; flags?: HealthFlag[]; token?: string } = {},
  ) {
    return renderPage(
      reply,
      IntakeFormPage({
        ...formPage(request.site),
        token: extra.token ?? intake.issueToken(),
        values,
        errors: extra.errors ?? {},
        message: extra.message,
        flags: extra.flags,
        gpc: request.privacy.gpc,
      }),
    );
  }

  app.get('/get-started', { schema: { querystring: landingQuery } }, async (request, reply) => {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query))
      if (typeof v === 'string' && v) values[k === 'type' ? 'userType' : k] = v;
    const referrer = externalReferrer(request, config.baseUrl);
    if (referrer) values.referrer = referrer;
    reply.header('cache-control', 'no-store');
    // A landing with campaign tags or a referrer carries them in the form: rendered for itself.
    if (Object.keys(values).length > 0) return renderForm(request, reply, values);
    const gpc = request.privacy.gpc;
    return pages.send(reply, {
      key: `/get-started|${gpc}`,
      page: () => IntakeFormPage({ ...formPage(request.site), token: slot('formToken'), gpc }),
      values: { formToken: intake.issueToken() },
      perVisitor: true,
    });
  });

  app.post(
    '/get-started',
    { schema: { body: intakeBody }, attachValidation: true },
    async (request, reply) => {
      const raw = stringValues(request.body);
      const token = typeof raw.formToken === 'string' ? raw.formToken : undefined;
      const keepToken = token ? { token } : {};
      const limit = await limits.check(request.ip);
      // A double click on the submission that reached the limit still gets its thank-you page.
      if (limit.limited && !(await intake.alreadyAccepted(raw.formToken))) {
        const message = tooManyMessage(request.site.company.phone);
        reply.code(429).header('retry-after', String(limit.retryAfterS));
        if (wantsJson(request)) return reply.send({ error: message });
        // What the person typed stays in the form, ready to send once the wait is over.
        return renderForm(request, reply, raw, { message, ...keepToken });
      }
      // Without JavaScript, choosing a type is sent here: its questions are shown, nothing checked.
      if (raw.show) {
        const { errors } = formErrors(request.validationError?.validation);
        return renderForm(request, reply, raw, {
          ...keepToken,
          errors: errors.userType ? { userType: errors.userType } : {},
        });
      }
      if (request.validationError) {
        const { errors, message } = formErrors(request.validationError.validation);
        if (wantsJson(request)) return sendError(request, reply, 400, message, errors);
        reply.code(400);
        return renderForm(request, reply, raw, { errors, message, ...keepToken });
      }
      try {
        const result = await intake.submit(request.body, { gpc: request.privacy.gpc });
        if (result.kind === 'health_flagged') {
          const message =
            'Your message may contain health information. Please remove it or confirm it is not.';
          if (wantsJson(request)) {
            return reply.code(400).send({
              error: message,
              fields: [{ field: 'needs', message }],
              flagged: result.flags.map((f) => ({ field: 'needs', kind: f.kind, text: f.text })),
            });
          }
          reply.code(400);
          return renderForm(request, reply, raw, {
            flags: result.flags,
            token: request.body.formToken,
          });
        }
        // A repeat of a form already accepted (a double click) is not a new submission.
        if (result.kind === 'dropped' || !result.repeat) await limits.accepted(request.ip);
        if (result.kind === 'accepted') {
          await opts.onAccepted?.(request, reply, result.leadId, {
            email: request.body.email,
            phone: request.body.phone,
          });
        }
        if (wantsJson(request))
          return reply.code(201).send({ status: 'received', next: '/get-started/thanks' });
        return reply.redirect('/get-started/thanks', 303);
      } catch (err) {
        if (!(err instanceof DomainError) || wantsJson(request)) throw err;
        reply.code(err.status);
        // An expired token gets a fresh one; a too-quick send keeps its own so waiting is enough.
        const keep = err.message === expiredFormMessage ? {} : { token: request.body.formToken };
        return renderForm(request, reply, raw, { message: err.message, ...keep });
      }
    },
  );

  app.get('/get-started/thanks', async (request, reply) =>
    pages.send(reply, {
      key: '/get-started/thanks',
      page: () => ThanksPage({ site: request.site }),
    }),
  );
}

const tooManyMessage = (phone: string) =>
  `You have sent this form several times in a short while. Please wait a few minutes and send it again (what you typed is kept below), or call us at ${phone}.`;

function stringValues(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (v === true) out[k] = 'on';
  }
  return out;
}

/**
 * Issues beside their fields, in the order the form shows the fields (the summary lists them so);
 * those about the form as a whole ask for a fresh copy.
 */
function formErrors(validation: unknown): { errors: FieldErrors; message: string } {
  const { fields, general } = readIssues(validation);
  const rank = (f: string) => {
    const i = (fieldOrder as readonly string[]).indexOf(f);
    return i < 0 ? fieldOrder.length : i;
  };
  const errors: FieldErrors = {};
  for (const f of Object.keys(fields).sort((a, b) => rank(a) - rank(b))) errors[f] = fields[f]!;
  const message = general.length
    ? `${general.join(' ')} Please reload the page and send the form again.`
    : `Please correct the ${Object.keys(errors).length === 1 ? 'field' : `${Object.keys(errors).length} fields`} listed below.`;
  return { errors, message };
}

/** The site the visitor came from, if not this one; only origin and path are kept. */
function externalReferrer(request: FastifyRequest, baseUrl: string): string | undefined {
  const ref = request.headers.referer;
  if (!ref) return undefined;
  const clean = cleanReferrer(ref);
  if (!clean) return undefined;
  const own = new URL(baseUrl).host;
  return new URL(clean).host === own || new URL(clean).host === request.host ? undefined : clean;
}
