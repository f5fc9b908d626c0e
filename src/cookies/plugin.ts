import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.js';
import { cookieFreePath, pathOf } from '../privacy/cookie-free.js';
import { safeRedirectPath } from '../web/redirect.js';
import { slot } from '../web/render.js';
import { CookieBanner, TagScripts } from './views.js';
import { langOf } from './messages.js';
import { cspWithTags, tagCategoriesFor, tagsFor, type Tag } from './tags.js';

// Per request, on public pages: the cookie notice until a choice stands, the tags the choice
// allows (none on sensitive pages, none under GPC or Do Not Track), and a CSP naming exactly
// the origins of the tags served. Every answer comes from the kernel's `request.privacy`;
// registered after the GPC plugin, which may turn advertising off first.

declare module 'fastify' {
  interface FastifyRequest {
    /** Third-party tags this response serves; the CSP is widened for them alone. */
    tagsServed: Tag[] | null;
  }
}

// No page, no notice: the cookie-free paths (query string ignored) and the staff console.
const skipped = (url: string) => cookieFreePath(url) || pathOf(url).startsWith('/console');

export const cookieNoticePlugin = fp(async (app: FastifyInstance, deps: { db: Db }) => {
  app.decorateRequest('pageExtras', null);
  app.decorateRequest('tagsServed', null);
  const extras = (request: FastifyRequest, tags: Tag[]) => {
    const path = request.url.split('?')[0]!;
    const privacy = request.privacy;
    const banner = privacy.undecided && path !== '/cookies';
    request.tagsServed = tags;
    const { choices, gpc } = privacy;
    const lang = banner ? langOf(request) : null;
    request.pageExtras = {
      gpc,
      // The page this notice returns to is the visitor's own: a slot, never in a cached page.
      top: lang ? () => CookieBanner({ lang, choices, gpc, back: slot('back') }) : null,
      end: tags.length > 0 ? () => TagScripts({ tags }) : null,
      key: `${lang ? `${lang}.${choices.analytics}.${choices.advertising}` : '-'}|${gpc}|${tags.map((t) => `${t.id}@${t.updated_at}`).join(',')}`,
      ...(lang ? { values: { back: safeRedirectPath(request.url, '/') } } : {}),
    };
  };
  // Synchronous unless the visitor allows a tag category: only then is the tag registry read.
  app.addHook('onRequest', (request, _reply, done) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || skipped(request.url))
      return done();
    if (tagCategoriesFor(request.url, request.privacy).length === 0) {
      extras(request, []);
      return done();
    }
    tagsFor(deps.db, request.url, request.privacy).then(
      (tags) => {
        extras(request, tags);
        done();
      },
      (err: Error) => done(err),
    );
  });
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload, done) => {
    const tags = request.tagsServed;
    if (tags && tags.length > 0) {
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string') reply.header('content-security-policy', cspWithTags(csp, tags));
    }
    done(null, payload);
  });
});
