import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config/env.js';
import { secretRoute } from '../privacy/secret-paths.js';
import { DomainError } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import type { MailedLinkPurpose } from './links.js';
import {
  AcceptInvitationPage,
  ForgotPasswordPage,
  ForgotSentPage,
  LinkDonePage,
  LinkInvalidPage,
  ResetPasswordPage,
} from './link-views.js';
import { LinkInvalidError, type LinkFlows } from './reset.js';

// Signed-out pages: "Forgot password?" and the pages behind reset and invitation links. Every
// post needs the page's CSRF token; the forgot form is rate limited per network like sign-in,
// and each account gets at most a few reset mails an hour whoever asks (src/accounts/reset.ts).

const csrf = z.string().optional();
const open = { access: 'public' } as const;
const tokenParams = z.object({ token: z.string().max(200) });
const text = (error: string) => z.string({ error }).max(1024, 'Use at most 256 characters.');
const forgotBody = z.object({ email: z.unknown().optional(), _csrf: csrf });
const resetBody = z.object({
  password: text('Choose a new password.'),
  passwordConfirm: text('Type the new password again.'),
  _csrf: csrf,
});
const inviteBody = resetBody.extend({ name: z.string({ error: 'Enter your name.' }).max(1024) });

interface LinkRouteOptions {
  links: LinkFlows;
  config: Config;
}

export async function accountLinkRoutes(fastify: FastifyInstance, opts: LinkRouteOptions) {
  fastify.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { links, config } = opts;
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const rateLimit = {
    max: config.loginRateLimit,
    timeWindow: '15 minutes',
    errorResponseBuilder: () => tooMany(),
  };

  app.get('/console/forgot-password', { config: open }, async (request, reply) =>
    renderPage(
      reply,
      ForgotPasswordPage({
        site: request.site,
        csrf: reply.generateCsrf(),
        values: {},
        errors: {},
      }),
    ),
  );

  app.post(
    '/console/forgot-password',
    {
      schema: { body: forgotBody },
      attachValidation: true,
      preHandler: checkCsrf,
      config: { ...open, rateLimit },
    },
    async (request, reply) => {
      const email = request.validationError ? undefined : request.body.email;
      try {
        await links.requestReset(email);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        reply.code(400);
        const values = { email: typeof email === 'string' ? email : '' };
        const page = ForgotPasswordPage({
          site: request.site,
          csrf: reply.generateCsrf(),
          values,
          errors: err.fields,
          message: err.message,
        });
        return renderPage(reply, page);
      }
      return renderPage(reply, ForgotSentPage({ site: request.site }));
    },
  );

  linkPages(app, checkCsrf, rateLimit, 'reset');
  linkPages(app, checkCsrf, rateLimit, 'invite');

  function linkPages(
    a: typeof app,
    check: typeof checkCsrf,
    limit: typeof rateLimit,
    purpose: MailedLinkPurpose,
  ) {
    const url = secretRoute(purpose === 'reset' ? 'passwordReset' : 'staffInvitation');
    const form = (
      request: FastifyRequest,
      reply: FastifyReply,
      token: string,
      user: Awaited<ReturnType<LinkFlows['open']>>,
      state: { values: Record<string, string>; errors: Record<string, string>; message?: string },
    ) => {
      const common = { site: request.site, csrf: reply.generateCsrf(), token, ...state };
      const page =
        purpose === 'reset'
          ? ResetPasswordPage({ ...common, email: user.email })
          : AcceptInvitationPage({ ...common, email: user.email, role: user.role });
      return renderPage(reply, page);
    };
    const invalidLink = (request: FastifyRequest, reply: FastifyReply) => {
      reply.code(404);
      return renderPage(reply, LinkInvalidPage({ site: request.site, kind: purpose }));
    };

    a.get(url, { schema: { params: tokenParams } }, async (request, reply) => {
      const { token } = request.params;
      try {
        const user = await links.open(purpose, token);
        const values: Record<string, string> = purpose === 'invite' ? { name: user.name } : {};
        return await form(request, reply, token, user, { values, errors: {} });
      } catch (err) {
        if (err instanceof LinkInvalidError) return invalidLink(request, reply);
        throw err;
      }
    });

    a.post(
      url,
      {
        schema: { params: tokenParams, body: purpose === 'reset' ? resetBody : inviteBody },
        attachValidation: true,
        preHandler: check,
        config: { rateLimit: limit },
      },
      async (request, reply) => {
        const { token } = request.params;
        const body = request.body as z.infer<typeof inviteBody>;
        const values: Record<string, string> =
          purpose === 'invite' && typeof body?.name === 'string' ? { name: body.name } : {};
        try {
          const user = await links.open(purpose, token);
          if (request.validationError) {
            reply.code(400);
            const { fields } = readIssues(request.validationError.validation);
            const message = 'Nothing was saved. Check the fields below.';
            return await form(request, reply, token, user, { values, errors: fields, message });
          }
          if (purpose === 'reset') await links.completeReset(token, body);
          else await links.acceptInvitation(token, body);
          const done =
            purpose === 'reset'
              ? {
                  title: 'Password changed',
                  text: 'Your new password is saved and every session of your account has ended. Sign in with the new password.',
                }
              : {
                  title: 'Your account is ready',
                  text: 'Your password is saved. Sign in with your email address and the new password.',
                };
          return await renderPage(reply, LinkDonePage({ site: request.site, ...done }));
        } catch (err) {
          if (err instanceof LinkInvalidError) return invalidLink(request, reply);
          if (!(err instanceof DomainError) || err.status !== 400) throw err;
          reply.code(400);
          const user = await links.open(purpose, token).catch(() => undefined);
          if (!user) return invalidLink(request, reply);
          return form(request, reply, token, user, {
            values,
            errors: err.fields,
            message: err.message,
          });
        }
      },
    );
  }
}

function tooMany() {
  const err = new Error(
    'Too many requests from this network. Please wait 15 minutes and try again.',
  ) as Error & { statusCode: number };
  err.statusCode = 429;
  return err;
}
