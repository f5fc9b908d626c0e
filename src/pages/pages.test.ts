import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteConfig, type SiteConfig } from '../config/site.js';
import { freshDatabase, createTestApp, type TestApp } from '../test-support/app.js';
import { opsRoutes } from '../web/ops.js';
import { pageRoutes } from './routes.js';
import { elementTexts, visibleText } from './testing.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });

const publicPages = (site: SiteConfig): [string, string][] => [
  ['/', site.home.headline],
  ['/services', 'Our services'],
  ['/about', `About ${site.company.name}`],
  ['/partners', site.partners.headline],
  ['/privacy', 'Privacy policy'],
];

describe('public pages', () => {
  it.each(publicPages(loadSiteConfig()))('%s answers 200 with one h1: %s', async (url, h1) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body.startsWith('<!doctype html>')).toBe(true);
    expect(elementTexts(res.body, 'h1')).toEqual([h1]);
    expect(visibleText(res.body)).toContain(t.site.company.name);
  });

  it.each(publicPages(loadSiteConfig()))('%s passes the CSP and has the landmarks', async (url) => {
    const { body } = await get(url);
    // style-src 'self' and script-src 'self': inline styles or scripts would be blocked.
    expect(body).not.toMatch(/\sstyle=/i);
    expect(body).not.toMatch(/<style/i);
    // Scripts load from files; JSON-LD is data, which CSP does not run.
    expect(body).not.toMatch(/<script(?![^>]*\s(src=|type="application\/ld\+json"))/i);
    expect(body).not.toMatch(/\son[a-z]+=/i);
    expect(body).toContain('<html lang="en">');
    expect(body).toMatch(/<a class="skip" href="#main">/);
    expect(body).toMatch(/<main id="main"/);
    expect(body).toMatch(/<nav aria-label="Main">/);
    expect(body).toMatch(/<footer/);
    expect(body).toContain(`href="${url}" aria-current="page"`);
  });

  it('home links to the intake form and names every service', async () => {
    const { body } = await get('/');
    expect(body).toContain('href="/get-started"');
    for (const s of t.site.services) expect(body).toContain(`href="/services#${s.slug}"`);
    for (const h of t.site.home.highlights) expect(visibleText(body)).toContain(h.title);
  });

  it('services shows every service with its summary and points', async () => {
    const text = visibleText((await get('/services')).body);
    for (const s of t.site.services) {
      expect(text).toContain(s.title);
      expect(text).toContain(s.summary);
      for (const p of s.points) expect(text).toContain(p);
    }
  });

  it('partners explains the programme and links Apply to the intake form', async () => {
    const { body } = await get('/partners');
    const text = visibleText(body);
    for (const w of t.site.partners.who) expect(text).toContain(w);
    for (const b of t.site.partners.benefits) expect(text).toContain(b.title);
    // Opens the form as a partner: the questions about the practice they refer.
    expect(body).toMatch(/<a class="button" href="\/get-started\?type=partner">\s*Apply\s*<\/a>/);
  });

  it('an unknown path is a 404 HTML page in the site layout', async () => {
    const res = await get('/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(elementTexts(res.body, 'h1')).toEqual(['Page not found']);
    expect(res.body).toMatch(/\/static\/site\.[0-9a-f]{10}\.css/);
  });
});

describe('/theme.css', () => {
  it('carries the configured colours and readable text colours, with cache headers', async () => {
    const res = await get('/theme.css');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    const c = t.site.colours;
    expect(res.body).toContain(`--primary: ${c.primary};`);
    expect(res.body).toContain(`--primary-dark: ${c.primaryDark};`);
    expect(res.body).toContain(`--accent: ${c.accent};`);
    expect(res.body).toMatch(/--on-primary: #[0-9a-f]{6};/);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const etag = String(res.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/theme.css', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('ops probes', () => {
  it('/healthz and /readyz answer 200 when the database is there', async () => {
    const health = await t.app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('/readyz answers 503 when the database is gone', async () => {
    const database = await freshDatabase();
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(opsRoutes, { db: database.db, site: t.site });
    await database.drop();
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', reason: 'database_unreachable' });
    await app.close();
  });
});

describe('branding comes only from the site config', () => {
  // Rename the company everywhere in a copy of the config: nothing of the original may remain.
  const original = loadSiteConfig();
  const renamed = JSON.parse(
    JSON.stringify(original)
      .replaceAll(original.company.legalName, 'Acme Claims Partners LLC')
      .replaceAll(original.company.name, 'Acme Claims')
      .replaceAll(original.company.shortName, 'acmeclaims')
      .replaceAll('starspmb', 'acmeclaims')
      .replace(original.colours.primary, '#336699'),
  ) as SiteConfig;

  it.each(publicPages(renamed))('%s shows the other company, never the original', async (url) => {
    const app = Fastify();
    app.decorateRequest('site', { getter: () => renamed });
    await app.register(pageRoutes, { site: renamed });
    const res = await app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Acme Claims');
    expect(res.body).not.toMatch(/stars ?pro|starspmb/i);
    const theme = await app.inject('/theme.css');
    expect(theme.body).toContain('--primary: #336699;');
    await app.close();
  });
});
