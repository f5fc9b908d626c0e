import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.js';
import { cookieFreePath, pathOf } from '../privacy/cookie-free.js';
import { safeRedirectPath } from '../web/redirect.js';
import { slot } from '../web/render.js';
import { CookieBanner, TagScripts } from './views.js';
import { langOf } from './messages.js';
import { cspWithTags, tagsFor, type Tag } from './tags.js';

// Per request, on public pages: the cookie notice until a choice stands, the tags the choice
// allows (none on sensitive pages, none under GPC for advertising), and a CSP naming exactly
// the origins of the tags served. Registered after the GPC plugin, which reads the choices.

declare module 'fastify' {
  interface FastifyRequest {
    /** Third-party tags this response serves; the CSP is widened for them alone. */
    tagsServed: Tag[] | null;
  }
}

// No page, no notice: the cookie-free paths (query string ignored) and the staff console.
const skipped = (url: string) => cookieFreePath(url) || pathOf(url).startsWith('/console');

/** A choice is still to be made while either category has none that stands. */
export const needsChoice = (request: FastifyRequest) =>
  !request.browserChoices.analytics || !request.browserChoices.advertising;

export const cookieNoticePlugin = fp(async (app: FastifyInstance, deps: { db: Db }) => {
  app.decorateRequest('pageExtras', null);
  app.decorateRequest('tagsServed', null);
  app.addHook('onRequest', async (request) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || skipped(request.url)) return;
    const path = request.url.split('?')[0]!;
    const tags = await tagsFor(deps.db, request.url, request.browserChoices, request.gpc);
    const banner = needsChoice(request) && path !== '/cookies';
    request.tagsServed = tags;
    const choices = request.browserChoices;
    const gpc = request.gpc;
    const lang = banner ? langOf(request) : null;
    request.pageExtras = {
      gpc,
      // The page this notice returns to is the visitor's own: a slot, never in a cached page.
      top: lang ? () => CookieBanner({ lang, choices, gpc, back: slot('back') }) : null,
      end: tags.length > 0 ? () => TagScripts({ tags }) : null,
      key: `${lang ? `${lang}.${choices.analytics}.${choices.advertising}` : '-'}|${gpc}|${tags.map((t) => `${t.id}@${t.updated_at}`).join(',')}`,
      ...(lang ? { values: { back: safeRedirectPath(request.url, '/') } } : {}),
    };
  });
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    const tags = request.tagsServed;
    if (!tags || tags.length === 0) return payload;
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.header('content-security-policy', cspWithTags(csp, tags));
    return payload;
  });
});
