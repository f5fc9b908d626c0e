import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { landingPath } from '../console/permissions.js';
import { registerConsoleRoutes, route } from '../console/route-table.js';
import { liveSession } from '../console/section.js';
import { conflict, DomainError } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import { safeNext } from './routes.js';
import type { AccountService } from './service.js';
import { enrolmentInvalidMessage } from './second-factor.js';
import { secondFactorRequired } from './staff-sessions.js';
import {
  CodePage,
  ConfirmPage,
  EnrolPage,
  RecoveryCodesPage,
  SecurityPage,
} from './second-factor-views.js';
import { LoginPage } from './views.js';

// The second factor's routes (docs/decisions/025-second-factor-and-sessions.md). The code step
// of sign-in is open like the login page; the rest are console routes of the route table.

const csrfField = z.string().optional();
const codeText = z
  .string({ error: 'Enter the code.' })
  .trim()
  .min(1, 'Enter the code.')
  .max(40, 'A code is 6 digits, or a recovery code of 10 letters and digits.');
const codeBody = z.object({ code: codeText, next: z.unknown().optional(), _csrf: csrfField });
const enrolBody = z.object({ enrolment: z.string().max(100), code: codeText, _csrf: csrfField });
const confirmBody = z.object({
  proof: z.string({ error: 'Enter it.' }).min(1, 'Enter it.').max(1024, 'That is too long.'),
  next: z.unknown().optional(),
  _csrf: csrfField,
});
const nextQuery = z.object({ next: z.unknown().optional(), done: z.unknown().optional() });
const plainBody = z.object({ _csrf: csrfField }).optional();

const doneMessages: Record<string, string> = {
  off: 'Two-step sign-in is off.',
};

interface Options {
  accounts: AccountService;
}

export async function secondFactorRoutes(fastify: FastifyInstance, opts: Options) {
  await fastify.register(codeStepRoutes, opts);
  await fastify.register(accountPages, opts);
}

async function codeStepRoutes(fastify: FastifyInstance, { accounts }: Options) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { name, options } = accounts.cookie;
  const open = { access: 'public' } as const;
  // A sign-in in progress is never cached.
  fastify.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(
    '/console/login/code',
    { schema: { querystring: nextQuery }, config: open },
    async (request, reply) => {
      const state = await accounts.sessionState(request.cookies[name]);
      if (state?.session.stage !== 'code') return reply.redirect('/console/login', 303);
      const csrf = reply.generateCsrf();
      const next = safeNext(request.query.next);
      return renderPage(
        reply,
        CodePage({ site: request.site, csrf, values: {}, errors: {}, next }),
      );
    },
  );

  app.post(
    '/console/login/code',
    {
      schema: { body: codeBody },
      attachValidation: true,
      preHandler: fastify.csrfProtection.bind(fastify),
      config: open,
    },
    async (request, reply) => {
      const next = safeNext((request.body as { next?: unknown } | undefined)?.next);
      const again = (status: number, message: string, errors: Record<string, string> = {}) => {
        reply.code(status);
        const csrf = reply.generateCsrf();
        return renderPage(
          reply,
          CodePage({ site: request.site, csrf, values: {}, errors, message, next }),
        );
      };
      if (request.validationError) {
        const { fields } = readIssues(request.validationError.validation);
        return again(400, 'Please enter the code.', fields);
      }
      try {
        const done = await accounts.completeSecondFactor(request.cookies[name], request.body.code, {
          source: request.ip,
        });
        reply.setCookie(name, done.token, options);
        return await reply.redirect(next ?? landingPath(done.user), 303);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.status === 400) return again(400, err.message, err.fields);
        // The sign-in ended: back to the password, with why.
        reply.clearCookie(name, { path: '/' });
        reply.code(err.status);
        const csrf = reply.generateCsrf();
        const page = LoginPage({
          site: request.site,
          csrf,
          values: {},
          errors: {},
          message: err.message,
        });
        return renderPage(reply, page);
      }
    },
  );
}

async function accountPages(fastify: FastifyInstance, opts: Options) {
  const { accounts } = opts;
  const mfa = () => accounts.secondFactor();
  const { name, options } = accounts.cookie;

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/account',
      access: 'console.enter',
      query: nextQuery,
      handler: async ({ frame, staff, query }) => {
        const status = await mfa().status(staff.id);
        const done = typeof query.done === 'string' ? doneMessages[query.done] : undefined;
        const required = secondFactorRequired(staff.role);
        return { page: SecurityPage({ ...frame(), ...status, required, done }) };
      },
    }),
    route({
      method: 'GET',
      url: '/console/account/two-factor/enrol',
      access: 'console.enter',
      enrolment: true,
      handler: async ({ frame, staff, request }) => {
        if ((await mfa().status(staff.id)).enabled) return { redirect: '/console/account' };
        const enrolment = await mfa().begin(staff.id, staff.email);
        const required = liveSession(request).session.stage === 'enrol';
        const state = { values: {}, errors: {} };
        return { page: EnrolPage({ ...frame(), ...state, required, enrolment }) };
      },
    }),
    route({
      method: 'POST',
      url: '/console/account/two-factor/enrol',
      access: 'console.enter',
      enrolment: true,
      body: enrolBody,
      handler: async ({ frame, request, reply, body }) => {
        const state = liveSession(request);
        const done = await accounts.finishEnrolment(state, body.enrolment, body.code);
        reply.setCookie(name, done.token, options);
        const next = landingPath(state.user);
        return { page: RecoveryCodesPage({ ...frame(), codes: done.codes, next }) };
      },
      // A wrong code shows the same QR code again; a token not of this enrolment is a 404 page.
      refused: async ({ frame, staff, request, sent }, err) => {
        const token = typeof sent.enrolment === 'string' ? sent.enrolment : '';
        const enrolment = await mfa().pending(staff.id, token, staff.email);
        if (!enrolment) throw new DomainError(404, enrolmentInvalidMessage);
        const required = liveSession(request).session.stage === 'enrol';
        const state = { values: {}, errors: err.fields, message: err.message };
        return { page: EnrolPage({ ...frame(), ...state, required, enrolment }) };
      },
    }),
    route({
      method: 'POST',
      url: '/console/account/two-factor/disable',
      access: 'console.enter',
      body: plainBody,
      fresh: true,
      handler: async ({ staff }) => {
        if (secondFactorRequired(staff.role)) {
          throw conflict('Your role requires two-step sign-in: it cannot be turned off.');
        }
        await mfa().disable(staff.id);
        return { redirect: '/console/account?done=off' };
      },
    }),
    route({
      method: 'POST',
      url: '/console/account/two-factor/recovery-codes',
      access: 'console.enter',
      body: plainBody,
      fresh: true,
      handler: async ({ frame, staff }) => {
        const codes = await mfa().newCodes(staff.id);
        return { page: RecoveryCodesPage({ ...frame(), codes, next: '/console/account' }) };
      },
    }),
    route({
      method: 'GET',
      url: '/console/account/confirm',
      access: 'console.enter',
      query: nextQuery,
      handler: async ({ frame, staff, query }) => {
        const withCode = (await mfa().status(staff.id)).enabled;
        const next = safeNext(query.next) ?? landingPath(staff);
        return { page: ConfirmPage({ ...frame(), values: {}, errors: {}, withCode, next }) };
      },
    }),
    route({
      method: 'POST',
      url: '/console/account/confirm',
      access: 'console.enter',
      body: confirmBody,
      handler: async ({ request, reply, body }) => {
        const state = liveSession(request);
        const token = await accounts.stepUp(state, body.proof);
        reply.setCookie(name, token, options);
        return { redirect: safeNext(body.next) ?? landingPath(state.user) };
      },
      refused: async ({ frame, staff, sent }, err) => {
        const withCode = (await mfa().status(staff.id)).enabled;
        const next = safeNext(sent.next) ?? landingPath(staff);
        const state = { values: {}, errors: err.fields, message: err.message };
        return { page: ConfirmPage({ ...frame(), ...state, withCode, next }) };
      },
    }),
  ]);
}
