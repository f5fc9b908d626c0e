import type { FastifyInstance, FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import type { SiteConfig } from '../config/site.js';
import { policyModel } from '../privacy/policy.js';
import type { PolicyState } from '../privacy/policy-revisions.js';
import { currentPolicy, policyVersions } from '../privacy/policy-versions.js';
import { etagMatches } from '../web/compress.js';
import { createPageCache, type PageCache } from '../web/render.js';
import { AboutPage } from './about.js';
import { HomePage } from './home.js';
import { PartnersPage } from './partners.js';
import { PrivacyPage } from './privacy-page.js';
import { ServicesPage } from './services.js';
import { themeAsset } from '../web/theme.js';

// The public pages: their content comes only from the site config and the policy model, both
// fixed at boot, so each page tree is built once and rendered once per variant (the cookie
// notice's language and choices, GPC, tags: src/web/render.ts). Nothing depends on who asks.
// The one exception is /privacy's list of service providers, from the registry in the database.

const pages: readonly [path: string, page: (site: SiteConfig) => VNode][] = [
  ['/', (site) => HomePage({ site })],
  ['/services', (site) => ServicesPage({ site })],
  ['/about', (site) => AboutPage({ site })],
  ['/partners', (site) => PartnersPage({ site })],
];

const privacyPage = (site: SiteConfig, state: PolicyState) =>
  PrivacyPage({
    site,
    model: policyModel(state.processors, state.vendors),
    version: state.version,
    history: state.history,
  });

export async function pageRoutes(
  app: FastifyInstance,
  opts: {
    site: SiteConfig;
    /** The registry in the database with the versions it made; the shipped policy when absent. */
    policy?: {
      state: () => Promise<PolicyState>;
      /** Changes whenever the state may have: the cached page is rendered again. */
      mark: () => Promise<string>;
    };
    cache?: PageCache;
  },
) {
  const { site, policy } = opts;
  const cache = opts.cache ?? createPageCache();
  for (const [path, page] of pages) {
    const vnode = page(site);
    app.get(path, async (_request, reply: FastifyReply) =>
      cache.send(reply, { key: path, page: () => vnode }),
    );
  }
  // An admin's change to the registry shows on the next request, on every instance: each
  // request reads the registry's mark, and a new mark renders the page again.
  const withoutRegistry = privacyPage(site, {
    processors: [],
    vendors: [],
    version: currentPolicy,
    history: [...policyVersions],
  });
  app.get('/privacy', async (_request, reply: FastifyReply) =>
    cache.send(
      reply,
      policy
        ? {
            key: `/privacy@${await policy.mark()}`,
            page: async () => privacyPage(site, await policy.state()),
          }
        : { key: '/privacy', page: () => withoutRegistry },
    ),
  );

  const theme = themeAsset(site.colours);
  app.get('/theme.css', async (request, reply) => {
    // Same lifetime as /static/ assets; the ETag makes the revalidation after it a 304.
    reply.header('cache-control', 'public, max-age=3600').header('etag', theme.etag);
    if (etagMatches(request.headers['if-none-match'], theme.etag)) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(theme.css);
  });
}
