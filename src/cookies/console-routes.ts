import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { blank, fieldErrors, isoDate, validationMessage } from '../console/input.js';
import { demand } from '../console/permissions.js';
import { guardConsoleSection, staffOf } from '../console/section.js';
import type { Db } from '../db/database.js';
import { DomainError, type FieldErrors } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import { consentRates } from './consent-records.js';
import { ConsentRatesPage, TagsPage } from './console-views.js';
import { tagBody, type TagService } from './tags.js';

const ratesQuery = z.object({
  from: z.preprocess(blank, isoDate('start date').optional()),
  to: z.preprocess(blank, isoDate('end date').optional()),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const DAY_MS = 86_400_000;

/** The console's cookie screens: consent rates, and the register of third-party tags. */
export async function cookieConsoleRoutes(
  fastify: FastifyInstance,
  opts: { db: Db; tags: TagService; accounts: AccountService; clock: Clock },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const { tags } = opts;
  guardConsoleSection(fastify, opts.accounts);

  app.get(
    '/console/consent',
    { schema: { querystring: ratesQuery }, attachValidation: true },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'consent.read');
      const today = opts.clock.now();
      const defaults = {
        from: new Date(today.getTime() - 29 * DAY_MS).toISOString().slice(0, 10),
        to: today.toISOString().slice(0, 10),
      };
      const error = request.validationError
        ? validationMessage(request.validationError)
        : undefined;
      if (error) reply.code(400);
      const q = error
        ? defaults
        : { from: request.query.from ?? defaults.from, to: request.query.to ?? defaults.to };
      const days = await consentRates(opts.db, q.from, q.to);
      return renderPage(
        reply,
        ConsentRatesPage({
          site: request.site,
          staff,
          csrf: reply.generateCsrf(),
          ...q,
          days,
          error,
        }),
      );
    },
  );

  const tagsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form = { values: {} as Record<string, string>, errors: {} as FieldErrors },
    message?: string,
  ) => {
    const staff = staffOf(request);
    const list = await tags.list(staff);
    const providers = await tags.providers(staff);
    return renderPage(
      reply,
      TagsPage({
        site: request.site,
        staff,
        csrf: reply.generateCsrf(),
        tags: list,
        providers,
        form,
        message,
      }),
    );
  };

  app.get('/console/settings/tags', async (request, reply) => tagsPage(request, reply));

  app.post(
    '/console/settings/tags',
    { schema: { body: tagBody }, attachValidation: true, preHandler: checkCsrf },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'tags.manage');
      const values = Object.fromEntries(
        Object.entries((request.body ?? {}) as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
      const refuse = (errors: FieldErrors, message: string) => {
        reply.code(400);
        return tagsPage(request, reply, { values, errors }, message);
      };
      if (request.validationError)
        return refuse(
          fieldErrors(request.validationError, 'name'),
          'Please correct the highlighted fields.',
        );
      try {
        await tags.register(staff, request.body);
      } catch (err) {
        if (err instanceof DomainError && err.status === 400)
          return refuse(err.fields, err.message);
        throw err;
      }
      return reply.redirect('/console/settings/tags', 303);
    },
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    app.post(
      `/console/settings/tags/:id/${action}`,
      { schema: { params: idParams }, preHandler: checkCsrf },
      async (request, reply) => {
        await tags.setActive(staffOf(request), request.params.id, active);
        return reply.redirect('/console/settings/tags', 303);
      },
    );
  }
}
