import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import type { SiteConfig } from '../config/site.js';
import { policyModel } from '../privacy/policy.js';
import type { PolicyState } from '../privacy/policy-revisions.js';
import { policyVersions } from '../privacy/policy-versions.js';
import { gpcDeclaration, privacyJson } from '../privacy/privacy-json.js';
import { secretPrefixes } from '../privacy/secret-paths.js';
import { logoHref } from '../web/assets.js';
import { etagMatches } from '../web/compress.js';
import { disallowedPaths, publicPages } from './registry.js';

// The files that crawlers, link checkers and privacy and security tools fetch by convention:
// robots.txt, sitemap.xml, /favicon.ico, /.well-known/gpc.json, /.well-known/security.txt and
// /privacy.json. Each is computed from the site config, the page registry and the policy model,
// sent with an ETag, and revalidated after an hour at most (docs/seo.md).

const DAY_MS = 86_400_000;
const hourly = 'public, max-age=3600';
/** Follows the policy, which an admin can change at any moment: revalidated on every use. */
const revalidate = 'public, no-cache';

function sendText(
  request: FastifyRequest,
  reply: FastifyReply,
  type: string,
  body: string,
  cacheControl: string,
) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  reply.header('cache-control', cacheControl).header('etag', etag);
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(type).send(body);
}

export function robotsTxt(origin: string): string {
  const disallowed = [...new Set([...disallowedPaths, ...secretPrefixes()])];
  return [
    'User-agent: *',
    ...disallowed.map((p) => `Disallow: ${p}`),
    '',
    `Sitemap: ${new URL('/sitemap.xml', origin).href}`,
    '',
  ].join('\n');
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function sitemapXml(origin: string, privacyEffective: string): string {
  const urls = publicPages.map((p) => {
    const lastmod = p.path === '/privacy' ? `<lastmod>${privacyEffective}</lastmod>` : '';
    return `<url><loc>${xmlEscape(new URL(p.path, origin).href)}</loc>${lastmod}<changefreq>${p.changefreq}</changefreq><priority>${p.priority.toFixed(1)}</priority></url>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
}

/** RFC 9116. Expires is the serving day plus the configured days: never a stale date in a file. */
export function securityTxt(site: SiteConfig, origin: string, now: Date): string {
  const s = site.security;
  const contacts = s?.contact ?? [`mailto:${site.company.privacyEmail}`];
  const expires = new Date(
    Math.floor(now.getTime() / DAY_MS) * DAY_MS + (s?.expiresDays ?? 180) * DAY_MS,
  );
  return [
    ...contacts.map((c) => `Contact: ${c}`),
    `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    ...(s?.policy ? [`Policy: ${new URL(s.policy, origin).href}`] : []),
    'Preferred-Languages: en',
    `Canonical: ${new URL('/.well-known/security.txt', origin).href}`,
    '',
  ].join('\n');
}

export async function publicFileRoutes(
  app: FastifyInstance,
  opts: {
    site: SiteConfig;
    /** BASE_URL: every address in these files is absolute. */
    origin: string;
    clock: Clock;
    /** The policy as /privacy shows it: the registry's state, or the shipped policy. */
    policy: () => Promise<PolicyState>;
  },
) {
  const { site, origin, clock, policy } = opts;

  app.get('/robots.txt', async (request, reply) =>
    sendText(request, reply, 'text/plain; charset=utf-8', robotsTxt(origin), hourly),
  );
  app.get('/sitemap.xml', async (request, reply) =>
    sendText(
      request,
      reply,
      'application/xml; charset=utf-8',
      sitemapXml(origin, (await policy()).version.effective),
      hourly,
    ),
  );
  // Browsers and tools ask for /favicon.ico whatever the page links: point them at the icon.
  const icon = logoHref(site);
  app.get('/favicon.ico', async (_request, reply) =>
    icon
      ? reply.header('cache-control', hourly).redirect(icon, 301)
      : reply.code(404).type('text/plain; charset=utf-8').send('No favicon'),
  );
  const gpc = JSON.stringify(gpcDeclaration(policyVersions));
  app.get('/.well-known/gpc.json', async (request, reply) =>
    sendText(request, reply, 'application/json', gpc, hourly),
  );
  app.get('/.well-known/security.txt', async (request, reply) =>
    sendText(
      request,
      reply,
      'text/plain; charset=utf-8',
      securityTxt(site, origin, clock.now()),
      hourly,
    ),
  );
  app.get('/privacy.json', async (request, reply) => {
    const state = await policy();
    const doc = privacyJson({
      model: policyModel(state.processors, state.vendors),
      version: state.version,
      origin,
      organization: site.company,
    });
    return sendText(request, reply, 'application/json', JSON.stringify(doc, null, 2), revalidate);
  });
}
