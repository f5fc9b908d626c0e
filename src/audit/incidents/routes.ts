import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../../accounts/service.js';
import { blank, isoDate, optionalWholeNumber } from '../../console/input.js';
import type { ConsoleFrame } from '../../console/layout.js';
import { registerConsoleRoutes, route } from '../../console/route-table.js';
import { categories, type Category } from '../../privacy/vocabulary.js';
import type { DomainError } from '../../web/errors.js';
import { LEGAL_NOTICE_DAYS } from './deadline.js';
import type { IncidentFormValues } from './form.js';
import type { IncidentInput, IncidentService } from './service.js';
import { IncidentPage, IncidentsPage, type FormState } from './views.js';

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
  const { service } = opts;
  const listPage = async (frame: ConsoleFrame, form: FormState = { values: {}, errors: {} }) => {
    const list = await service.list(frame.staff);
    return { page: IncidentsPage({ ...frame, list, form }) };
  };
  const detailPage = async (frame: ConsoleFrame, id: string, form?: FormState) => {
    const detail = await service.detail(frame.staff, id);
    return { page: IncidentPage({ ...frame, detail, form }) };
  };
  const at = (id: string) => ({ redirect: `/console/incidents/${encodeURIComponent(id)}` });
  const refusedForm = (sent: object, err: DomainError) => ({
    values: formValues(sent),
    errors: err.fields,
    message: err.message,
  });

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/incidents',
      access: 'incidents.manage',
      handler: ({ frame }) => listPage(frame()),
    }),
    route({
      method: 'POST',
      url: '/console/incidents',
      access: 'incidents.manage',
      body: incidentBody,
      handler: async ({ staff, body }) => at(await service.open(staff, toInput(body))),
      refused: ({ frame, sent }, err) => listPage(frame(), refusedForm(sent, err)),
    }),
    route({
      method: 'GET',
      url: '/console/incidents/:id',
      access: 'incidents.manage',
      params: incidentParams,
      handler: ({ frame, params }) => detailPage(frame(), params.id),
    }),
    route({
      method: 'POST',
      url: '/console/incidents/:id',
      access: 'incidents.manage',
      params: incidentParams,
      body: incidentBody,
      handler: async ({ staff, params, body }) => {
        await service.update(staff, params.id, toInput(body));
        return at(params.id);
      },
      refused: ({ frame, params, sent }, err) =>
        detailPage(frame(), params.id, refusedForm(sent, err)),
    }),
    route({
      method: 'POST',
      url: '/console/incidents/:id/close',
      access: 'incidents.manage',
      params: incidentParams,
      body: closeBody,
      handler: async ({ staff, params }) => {
        await service.close(staff, params.id);
        return at(params.id);
      },
    }),
  ]);
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
