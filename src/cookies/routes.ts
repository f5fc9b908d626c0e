import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import type { Db } from '../db/database.js';
import type { CookieConsentsTable } from '../db/schema.js';
import { writeChoices, type BrowserChoices } from '../privacy/signals.js';
import { invalid, wantsJson } from '../web/errors.js';
import { safeRedirectPath } from '../web/redirect.js';
import { createPageCache, slot, type PageCache } from '../web/render.js';
import { readIssues } from '../web/validation.js';
import { currentPolicyMark } from '../privacy/policy-revisions.js';
import { CONSENT_COOKIE, consentIdOf, recordChoice } from './consent-records.js';
import { LANG_COOKIE, langOf } from './messages.js';
import { tagVendors } from './tags.js';
import { CookiesPage } from './views.js';

const YEAR_S = 365 * 24 * 3600;

const choiceBody = z.object({
  choice: z.enum(['accept', 'reject', 'custom'], {
    error: 'Choose Accept all, Reject all, or save your own choices.',
  }),
  analytics: z.literal('on', { error: 'analytics is "on" when allowed, or left out.' }).optional(),
  advertising: z
    .literal('on', { error: 'advertising is "on" when allowed, or left out.' })
    .optional(),
  // Any value: a bad return address falls back to a safe page instead of failing the choice.
  back: z.unknown().optional(),
  source: z
    .enum(['banner', 'cookies_page'], { error: 'source is banner or cookies_page.' })
    .optional(),
  gpc: z.enum(['', '1'], { error: 'gpc is "1" or empty.' }).optional(),
});
const backQuery = z.object({
  back: z.unknown().optional(),
  saved: z.string().max(1).optional(),
});
const langQuery = z.object({
  to: z.enum(['en', 'es'], { error: 'Choose en or es.' }),
  back: z.unknown().optional(),
});

export interface CookieDeps {
  db: Db;
  clock: Clock;
  accounts: AccountService;
  secure: boolean;
  /** Rendered pages by variant (src/web/render.ts). */
  pages?: PageCache;
}

/** Saves a browser's choice anywhere it is made: a consent record, then the two cookies. */
export function browserChoiceSaver(deps: CookieDeps) {
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    wanted: { analytics: boolean; advertising: boolean; gpc: boolean },
    source: CookieConsentsTable['source'],
  ): Promise<BrowserChoices> => {
    const consentId = consentIdOf(request.cookies[CONSENT_COOKIE]);
    const staff = await deps.accounts.sessionUser(request.cookies[deps.accounts.cookie.name]);
    const input = {
      ...wanted,
      consentId,
      staffId: staff?.id ?? null,
      source,
      userAgent: request.headers['user-agent'],
    };
    const next = await recordChoice(deps.db, input, deps.clock.now());
    writeChoices(reply, next, deps.secure);
    reply.setCookie(CONSENT_COOKIE, consentId, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secure,
      maxAge: YEAR_S,
    });
    return next;
  };
}

/** The banner's forms and /cookies: the same route answers both, with or without JavaScript. */
export async function cookieRoutes(fastify: FastifyInstance, deps: CookieDeps) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const save = browserChoiceSaver(deps);
  const pages = deps.pages ?? createPageCache();

  app.get('/cookies', { schema: { querystring: backQuery } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const view = {
      lang: langOf(request),
      choices: request.privacy.choices,
      gpc: request.privacy.gpc,
      back: slot('back'),
    };
    const saved = request.query.saved === '1';
    // The vendors listed change only with the policy's mark (src/privacy/policy-revisions.ts).
    const { analytics, advertising } = view.choices;
    return pages.send(reply, {
      key: `/cookies|${view.lang}.${analytics}.${advertising}|${view.gpc}|${saved}|${await currentPolicyMark(deps.db)}`,
      page: async () =>
        CookiesPage({ ...view, site: request.site, saved, vendors: await tagVendors(deps.db) }),
      values: { back: safeRedirectPath(request.query.back, '/') },
    });
  });

  // A choice forged by another site's page is refused before this runs (src/web/cross-site.ts).
  app.post(
    '/cookies',
    { schema: { body: choiceBody }, attachValidation: true },
    async (request, reply) => {
      if (request.validationError)
        throw invalid(readIssues(request.validationError.validation).summary);
      const b = request.body;
      const all = b.choice === 'accept';
      const custom = b.choice === 'custom';
      const wanted = {
        analytics: all || (custom && b.analytics === 'on'),
        advertising: all || (custom && b.advertising === 'on'),
        gpc: request.privacy.gpc || b.gpc === '1',
      };
      const next = await save(
        request,
        reply,
        wanted,
        b.source === 'cookies_page' ? 'cookies_page' : 'banner',
      );
      if (wantsJson(request))
        return reply.send({ analytics: next.analytics, advertising: next.advertising });
      return reply.redirect(safeRedirectPath(b.back, '/cookies?saved=1'), 303);
    },
  );

  app.get(
    '/cookies/lang',
    { schema: { querystring: langQuery }, attachValidation: true },
    async (request, reply) => {
      if (request.validationError)
        throw invalid(readIssues(request.validationError.validation).summary);
      reply.setCookie(LANG_COOKIE, request.query.to, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secure,
        maxAge: YEAR_S,
      });
      return reply.redirect(safeRedirectPath(request.query.back, '/'), 303);
    },
  );
}
