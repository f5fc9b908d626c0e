import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { blank, isoDate } from '../console/input.js';
import type { ConsoleFrame } from '../console/layout.js';
import { registerConsoleRoutes, route, sentText } from '../console/route-table.js';
import type { Db } from '../db/database.js';
import type { FieldErrors } from '../web/errors.js';
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
  const { tags } = opts;
  /** The last 30 days, today included. */
  const lastMonth = () => {
    const today = opts.clock.now();
    return {
      from: new Date(today.getTime() - 29 * DAY_MS).toISOString().slice(0, 10),
      to: today.toISOString().slice(0, 10),
    };
  };
  const ratesPage = async (
    frame: ConsoleFrame,
    q: { from: string; to: string },
    error?: string,
  ) => {
    const days = await consentRates(opts.db, q.from, q.to);
    return { page: ConsentRatesPage({ ...frame, ...q, days, error }) };
  };
  const tagsPage = async (frame: ConsoleFrame, form: TagForm = { values: {}, errors: {} }) => {
    const list = await tags.list(frame.staff);
    const providers = await tags.providers(frame.staff);
    const { message, ...state } = form;
    return { page: TagsPage({ ...frame, tags: list, providers, form: state, message }) };
  };
  const saved = { redirect: '/console/settings/tags' };

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/consent',
      access: 'consent.read',
      query: ratesQuery,
      handler: ({ frame, query }) => {
        const month = lastMonth();
        return ratesPage(frame(), { from: query.from ?? month.from, to: query.to ?? month.to });
      },
      // Dates that cannot be read show the last 30 days, with the reason.
      refused: ({ frame }, err) =>
        ratesPage(frame(), lastMonth(), Object.values(err.fields).join(' ') || err.message),
    }),
    route({
      method: 'GET',
      url: '/console/settings/tags',
      access: 'tags.manage',
      handler: ({ frame }) => tagsPage(frame()),
    }),
    route({
      method: 'POST',
      url: '/console/settings/tags',
      access: 'tags.manage',
      body: tagBody,
      handler: async ({ staff, body }) => {
        await tags.register(staff, body);
        return saved;
      },
      refused: ({ frame, sent }, err) =>
        tagsPage(frame(), { values: sentText(sent), errors: err.fields, message: err.message }),
    }),
    ...(
      [
        ['deactivate', false],
        ['activate', true],
      ] as const
    ).map(([action, active]) =>
      route({
        method: 'POST',
        url: `/console/settings/tags/:id/${action}`,
        access: 'tags.manage',
        params: idParams,
        handler: async ({ staff, params }) => {
          await tags.setActive(staff, params.id, active);
          return saved;
        },
      }),
    ),
  ]);
}

type TagForm = { values: Record<string, string>; errors: FieldErrors; message?: string };
