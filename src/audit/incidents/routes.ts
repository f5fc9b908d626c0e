import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../../accounts/service.js';
import { blank, fieldErrors, isoDate, optionalWholeNumber } from '../../console/input.js';
import { guardConsoleSection, staffOf } from '../../console/section.js';
import { categories, type Category } from '../../privacy/vocabulary.js';
import { DomainError } from '../../web/errors.js';
import { renderPage } from '../../web/render.js';
import { LEGAL_NOTICE_DAYS } from './deadline.js';
import type { IncidentFormValues } from './form.js';
import type { IncidentInput, IncidentService } from './service.js';
import { IncidentPage, IncidentsPage } from './views.js';

const categoryKeys = Object.keys(categories) as [Category, ...Category[]];
const daysMessage = `Enter a whole number of days from 1 to ${LEGAL_NOTICE_DAYS - 1}, or leave it empty for the legal ${LEGAL_NOTICE_DAYS}.`;

const incidentBody = z.object({
  summary: z
    .string({ error: 'Describe what happened.' })
    .trim()
    .min(1, 'Describe what happened.')
    .max(4000, 'Keep the description to 4000 characters; add detail in your case file.'),
  discoveredOn: isoDate('discovery date'),
  // One checkbox arrives as a string, several as a list, none as nothing.
  categories: z.preprocess(
    (v: unknown): unknown => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.enum(categoryKeys, { error: 'Choose the kinds of data from the list shown.' }))
      .min(1, 'Choose at least one kind of data involved.'),
  ),
  windowStart: z.preprocess(blank, isoDate('window start').optional()),
  windowEnd: z.preprocess(blank, isoDate('window end').optional()),
  contractDays: optionalWholeNumber(daysMessage, 1, LEGAL_NOTICE_DAYS - 1),
  _csrf: z.string().optional(),
});
const incidentParams = z.object({ id: z.string().min(1).max(64) });
const closeBody = z.object({ _csrf: z.string().optional() }).optional();

interface Options {
  service: IncidentService;
  accounts: AccountService;
}

export async function incidentRoutes(fastify: FastifyInstance, opts: Options) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const { service } = opts;
  guardConsoleSection(fastify, opts.accounts);

  app.get('/console/incidents', async (request, reply) => {
    const staff = staffOf(request);
    const list = await service.list(staff);
    const form = { values: {}, errors: {} };
    return renderPage(
      reply,
      IncidentsPage({ site: request.site, staff, csrf: reply.generateCsrf(), list, form }),
    );
  });

  app.post(
    '/console/incidents',
    { schema: { body: incidentBody }, attachValidation: true, preHandler: checkCsrf },
    async (request, reply) => {
      const staff = staffOf(request);
      try {
        if (request.validationError) throw formError(request.validationError);
        const id = await service.open(staff, toInput(request.body));
        return await reply.redirect(`/console/incidents/${id}`, 303);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status !== 400) throw err;
        const list = await service.list(staff);
        const form = { values: formValues(request.body), errors: err.fields, message: err.message };
        reply.code(400);
        return renderPage(
          reply,
          IncidentsPage({ site: request.site, staff, csrf: reply.generateCsrf(), list, form }),
        );
      }
    },
  );

  app.get(
    '/console/incidents/:id',
    { schema: { params: incidentParams } },
    async (request, reply) => {
      const staff = staffOf(request);
      const detail = await service.detail(staff, request.params.id);
      return renderPage(
        reply,
        IncidentPage({ site: request.site, staff, csrf: reply.generateCsrf(), detail }),
      );
    },
  );

  app.post(
    '/console/incidents/:id',
    {
      schema: { params: incidentParams, body: incidentBody },
      attachValidation: true,
      preHandler: checkCsrf,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const { id } = request.params;
      try {
        if (request.validationError) throw formError(request.validationError);
        await service.update(staff, id, toInput(request.body));
        return await reply.redirect(`/console/incidents/${encodeURIComponent(id)}`, 303);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status !== 400) throw err;
        const detail = await service.detail(staff, id);
        const form = { values: formValues(request.body), errors: err.fields, message: err.message };
        reply.code(400);
        return renderPage(
          reply,
          IncidentPage({ site: request.site, staff, csrf: reply.generateCsrf(), detail, form }),
        );
      }
    },
  );

  app.post(
    '/console/incidents/:id/close',
    { schema: { params: incidentParams, body: closeBody }, preHandler: checkCsrf },
    async (request, reply) => {
      await service.close(staffOf(request), request.params.id);
      return reply.redirect(`/console/incidents/${encodeURIComponent(request.params.id)}`, 303);
    },
  );
}

function toInput(body: z.infer<typeof incidentBody>): IncidentInput {
  return {
    summary: body.summary,
    discoveredOn: body.discoveredOn,
    categories: body.categories,
    windowStart: body.windowStart,
    windowEnd: body.windowEnd,
    contractDays: body.contractDays,
  };
}

/** The schema's messages per field, so the form shows each beside its input. */
function formError(error: { validation: unknown }): DomainError {
  return new DomainError(
    400,
    'Please correct the highlighted fields.',
    fieldErrors(error, 'summary'),
  );
}

/** What was posted, as text, to put back into the re-rendered form. */
function formValues(body: unknown): IncidentFormValues {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (k: string) => (typeof b[k] === 'string' ? b[k] : '');
  const cats = b.categories;
  return {
    summary: text('summary'),
    discoveredOn: text('discoveredOn'),
    windowStart: text('windowStart'),
    windowEnd: text('windowEnd'),
    contractDays: text('contractDays'),
    categories: Array.isArray(cats)
      ? cats.filter((c): c is string => typeof c === 'string')
      : typeof cats === 'string'
        ? [cats]
        : [],
  };
}
