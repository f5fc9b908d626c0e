import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { forbidden } from './errors.js';

// One rule for every request that changes something: it must come from this site's own pages
// (docs/decisions/015-cross-site-posts.md). A route opts out only by saying why.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Lets other sites' pages send this route's requests; the reason is required. */
    crossSite?: { allowedBecause: string };
  }
  interface FastifyInstance {
    /** Every state-changing route and, when it accepts cross-site requests, why. */
    stateChangingRoutes: readonly StateChangingRoute[];
  }
}

export interface StateChangingRoute {
  method: string;
  url: string;
  allowedBecause?: string;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export type RequestSource = 'this-site' | 'other-site' | 'unknown';

/**
 * Where a request says it came from. Sec-Fetch-Site is set by the browser and cannot be forged
 * by a page; browsers without it fall back to Origin, then Referer, compared with the site's
 * configured origin (never the Host header, which the client chooses). Under our no-referrer
 * policy a browser may send `Origin: null` even from our own pages: that proves nothing.
 */
export function requestSource(headers: IncomingHttpHeaders, siteOrigin: string): RequestSource {
  const fetchSite = headers['sec-fetch-site'];
  if (fetchSite !== undefined)
    return fetchSite === 'same-origin' || fetchSite === 'none' ? 'this-site' : 'other-site';
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null')
    return origin === siteOrigin ? 'this-site' : 'other-site';
  const referer = headers.referer;
  if (referer !== undefined) return originOf(referer) === siteOrigin ? 'this-site' : 'other-site';
  return 'unknown';
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function refusal(request: FastifyRequest, source: Exclude<RequestSource, 'this-site'>) {
  const { company } = request.site;
  return forbidden(
    source === 'other-site'
      ? `This form can only be sent from the pages of this website, so nothing was saved. Please open the page on our website and send it again.`
      : `Your browser did not say which website this form came from, so nothing was saved. Please reload the page on our website and send it again; if that does not help, update your browser or call us at ${company.phone}.`,
  );
}

/**
 * Installs the rule: call before any route is registered, after the security-headers hook (so
 * a refusal carries them) and before hooks that record anything (GPC, cookies), so a refused
 * request stores nothing.
 */
export function guardCrossSite(app: FastifyInstance, opts: { siteOrigin: string }): void {
  const routes: StateChangingRoute[] = [];
  app.decorate('stateChangingRoutes', routes);
  app.addHook('onRoute', (route) => {
    const reason = route.config?.crossSite?.allowedBecause;
    if (reason !== undefined && reason.trim().length < 10)
      throw new Error(`${route.url}: crossSite.allowedBecause must say why other sites may post`);
    for (const method of [route.method].flat()) {
      if (safeMethods.has(method)) continue;
      routes.push({ method, url: route.url, ...(reason ? { allowedBecause: reason } : {}) });
    }
  });
  app.addHook('onRequest', (request, _reply, done) => {
    // Reading never changes anything; an address with no route changes nothing either.
    if (safeMethods.has(request.method) || request.is404) return done();
    if (request.routeOptions.config.crossSite) return done();
    const source = requestSource(request.headers, opts.siteOrigin);
    done(source === 'this-site' ? undefined : refusal(request, source));
  });
}
