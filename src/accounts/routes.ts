import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config/env.js';
import { landingPath } from '../console/permissions.js';
import { ENROL_PATH } from '../console/section.js';
import { secretRoute } from '../privacy/secret-paths.js';
import { DomainError, type FieldErrors } from '../web/errors.js';
import { resolvedPathname, safeRedirectPath } from '../web/redirect.js';
import { renderPage } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import { deviceLabel } from './device.js';
import type { AccountService } from './service.js';
import { LoginPage, SetupInvalidPage, SetupPage } from './views.js';

const csrfField = z.string().optional();
// Signing in and out is open to anyone: the console's route table says so (decision 019).
const open = { access: 'public' } as const;
// `next` takes any value: one that is not a safe console path is ignored, never an error.
const loginQuery = z.object({ next: z.unknown().optional() });
const loginBody = z.object({
  email: z
    .string({ error: 'Enter your email address.' })
    .trim()
    .min(1, 'Enter your email address.')
    .max(320, 'That email address is too long.'),
  password: z
    .string({ error: 'Enter your password.' })
    .min(1, 'Enter your password.')
    .max(1024, 'That password is too long.'),
  next: z.unknown().optional(),
  _csrf: csrfField,
});
const setupParams = z.object({ token: z.string().max(200) });
// Lengths and formats are the service's rules; the route only makes sure each field is one text.
const setupBody = z.object({
  email: z
    .string({ error: 'Enter your email address.' })
    .max(320, 'That email address is too long.'),
  password: z.string({ error: 'Choose a password.' }).max(1024, 'Use at most 256 characters.'),
  passwordConfirm: z
    .string({ error: 'Type the password again.' })
    .max(1024, 'Use at most 256 characters.'),
  _csrf: csrfField,
});

/** Only a safe path inside the console is a place to send someone after sign-in. */
export function safeNext(next: unknown): string | undefined {
  const path = safeRedirectPath(next, undefined);
  if (path === undefined) return undefined;
  const where = resolvedPathname(path);
  const inConsole = /^\/console(?:\/|$)/.test(where) && !where.startsWith('/console/login');
  return inConsole ? path : undefined;
}

interface AccountRouteOptions {
  accounts: AccountService;
  config: Config;
}

export async function accountRoutes(fastify: FastifyInstance, opts: AccountRouteOptions) {
  // Sign-in and setup pages carry one-time tokens: never cached.
  fastify.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  await fastify.register(loginRoutes, opts);
  await fastify.register(setupRoutes, opts);
}

const rateLimitFor = (config: Config) => ({
  max: config.loginRateLimit,
  timeWindow: '15 minutes',
  errorResponseBuilder: () => tooMany(),
});

async function loginRoutes(fastify: FastifyInstance, { accounts, config }: AccountRouteOptions) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { name, options: cookie } = accounts.cookie;
  const checkCsrf = fastify.csrfProtection.bind(fastify);

  app.get(
    '/console/login',
    { schema: { querystring: loginQuery }, config: open },
    async (request, reply) => {
      const staff = await accounts.sessionUser(request.cookies[name]);
      const next = safeNext(request.query.next);
      if (staff) return reply.redirect(next ?? landingPath(staff), 303);
      const csrf = reply.generateCsrf();
      return renderPage(
        reply,
        LoginPage({ site: request.site, csrf, values: {}, errors: {}, next }),
      );
    },
  );

  app.post(
    '/console/login',
    {
      schema: { body: loginBody },
      attachValidation: true,
      preHandler: checkCsrf,
      config: { ...open, rateLimit: rateLimitFor(config) },
    },
    async (request, reply) => {
      const values = formValues(request.body, ['email', 'next']);
      const next = safeNext(values.next);
      const again = (status: number, message: string, errors: FieldErrors = {}) => {
        reply.code(status);
        const csrf = reply.generateCsrf();
        return renderPage(
          reply,
          LoginPage({ site: request.site, csrf, values, errors, message, next }),
        );
      };
      if (request.validationError) {
        return again(
          400,
          'Please enter your email address and password.',
          readIssues(request.validationError.validation).fields,
        );
      }
      try {
        const { token, user, stage } = await accounts.login(
          request.body.email,
          request.body.password,
          { source: request.ip, userAgent: request.headers['user-agent'] },
        );
        // Whatever session this browser held ends: a token planted before sign-in is worthless.
        await accounts.sessions.end(request.cookies[name]);
        reply.setCookie(name, token, cookie);
        const query = next ? `?next=${encodeURIComponent(next)}` : '';
        if (stage === 'code') return await reply.redirect(`/console/login/code${query}`, 303);
        if (stage === 'enrol') return await reply.redirect(ENROL_PATH, 303);
        return await reply.redirect(next ?? landingPath(user), 303);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return again(err.status, err.message);
      }
    },
  );

  app.post(
    '/console/logout',
    {
      schema: { body: z.object({ _csrf: csrfField }).optional() },
      preHandler: checkCsrf,
      config: open,
    },
    async (request, reply) => {
      await accounts.logout(request.cookies[name]);
      reply.clearCookie(name, { path: cookie.path });
      return reply.redirect('/console/login', 303);
    },
  );
}

async function setupRoutes(fastify: FastifyInstance, { accounts, config }: AccountRouteOptions) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { name, options: cookie } = accounts.cookie;
  const checkCsrf = fastify.csrfProtection.bind(fastify);

  app.get(
    secretRoute('accountSetup'),
    { schema: { params: setupParams } },
    async (request, reply) => {
      const { token } = request.params;
      if (!(await accounts.setupTokenValid(token))) return invalidLink(reply, request.site);
      const csrf = reply.generateCsrf();
      return renderPage(
        reply,
        SetupPage({ site: request.site, csrf, token, values: {}, errors: {} }),
      );
    },
  );

  app.post(
    secretRoute('accountSetup'),
    {
      schema: { params: setupParams, body: setupBody },
      attachValidation: true,
      preHandler: checkCsrf,
      config: { rateLimit: rateLimitFor(config) },
    },
    async (request, reply) => {
      const { token } = request.params;
      if (!(await accounts.setupTokenValid(token))) return invalidLink(reply, request.site);
      const values = formValues(request.body, ['email']);
      const again = (message: string, errors: FieldErrors) => {
        reply.code(400);
        const csrf = reply.generateCsrf();
        return renderPage(
          reply,
          SetupPage({ site: request.site, csrf, token, values, errors, message }),
        );
      };
      if (request.validationError) {
        return again(
          'Please correct the highlighted fields.',
          readIssues(request.validationError.validation).fields,
        );
      }
      try {
        const device = deviceLabel(request.headers['user-agent']);
        const created = await accounts.completeSetup(token, request.body, undefined, { device });
        reply.setCookie(name, created.token, cookie);
        // The first administrator sets up a second factor before anything else.
        return await reply.redirect(ENROL_PATH, 303);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.status === 404) return invalidLink(reply, request.site);
        return again(err.message, err.fields);
      }
    },
  );
}

function invalidLink(reply: FastifyReply, site: Parameters<typeof SetupInvalidPage>[0]['site']) {
  reply.code(404);
  return renderPage(reply, SetupInvalidPage({ site }));
}

/** The named text fields of a posted form, to put back into the re-rendered form. */
function formValues(body: unknown, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const name of names) {
    const v = (body as Record<string, unknown>)[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function tooMany() {
  const err = new Error(
    'Too many sign-in attempts from this network. Please wait 15 minutes and try again.',
  ) as Error & { statusCode: number };
  err.statusCode = 429;
  return err;
}
