// The public pages a search engine should find: sitemap.xml lists these, and pages.test.ts checks
// each answers 200. Pages that only follow an action (thanks pages), the console, portals and
// secret links are not here, and robots.txt asks crawlers to keep out of them.

export interface RegisteredPage {
  path: `/${string}`;
  /** A hint for crawlers: how often the page is expected to change. */
  changefreq: 'weekly' | 'monthly' | 'yearly';
  priority: number;
}

export const publicPages: readonly RegisteredPage[] = [
  { path: '/', changefreq: 'monthly', priority: 1 },
  { path: '/services', changefreq: 'monthly', priority: 0.9 },
  { path: '/about', changefreq: 'yearly', priority: 0.6 },
  { path: '/partners', changefreq: 'yearly', priority: 0.6 },
  { path: '/get-started', changefreq: 'yearly', priority: 0.8 },
  { path: '/privacy', changefreq: 'monthly', priority: 0.4 },
  { path: '/cookies', changefreq: 'yearly', priority: 0.3 },
  { path: '/privacy-center', changefreq: 'yearly', priority: 0.3 },
];

/** Prefixes crawlers are asked to stay out of: nothing there is for a search result. */
export const disallowedPaths: readonly string[] = [
  '/console',
  '/setup/',
  '/portal/',
  '/privacy-center/r/',
  '/privacy-center/sent',
  '/privacy-center/choices/saved',
  '/get-started/thanks',
  '/api/',
];
