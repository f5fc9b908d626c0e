// Which responses may set a cookie. The analytics collector and its tracker, static assets,
// probes and metrics are fetched by scripts, crawlers and load balancers with no page in view:
// a cookie there would be set on someone who never saw a notice, and, for clients that keep no
// cookie, set again on every request. 404s and error pages set none either (src/web/cookie-guard.ts).

const exact = new Set([
  '/a.js',
  '/api/event',
  '/theme.css',
  '/healthz',
  '/readyz',
  '/metrics',
  // Fetched by crawlers and privacy and security tools (src/pages/public-files.ts).
  '/robots.txt',
  '/sitemap.xml',
  '/favicon.ico',
  '/privacy.json',
]);

/** The request's path, without its query string: `/healthz?x` is `/healthz`. */
export const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};

/** A path whose responses set no cookie (but one its route declares, such as a consented id). */
export function cookieFreePath(url: string): boolean {
  const path = pathOf(url);
  return path.startsWith('/static/') || path.startsWith('/.well-known/') || exact.has(path);
}
