import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import { cookieJar, createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { guardCrossSite } from './cross-site.js';
import { registerErrorHandling } from './errors.js';

// Every state-changing route of the real app refuses a post another site makes a visitor's
// browser send (docs/decisions/015-cross-site-posts.md), and stores nothing when it does.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const evil = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' };
const crossSiteMessage = /can only be sent from the pages of this website/;
const unknownMessage = /did not say which website this form came from/;

/** Rows in every table: a refused request must leave every count as it was. */
async function tableCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await db.introspection.getTables()) {
    const row = await db
      .selectFrom(table.name as 'leads')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table.name] = Number(row.n);
  }
  return counts;
}

/** A concrete address for a route pattern: every parameter filled. */
const concrete = (url: string) => url.replace(/:[^/]+/g, 'x').replace(/\*/g, 'x');

/** Route lines printed by Fastify's own router for one method: an independent count. */
const routerCount = (method: string) =>
  t.app.printRoutes({ commonPrefix: false, method: method as 'POST' }).match(/\(\w+\)$/gm)
    ?.length ?? 0;

describe('cross-site posts', () => {
  it('are refused by every state-changing route of the app, or the route says why it allows them', async () => {
    const routes = t.app.stateChangingRoutes;
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(routes.filter((r) => r.method === m).length, m).toBe(routerCount(m));
    const urls = routes.map((r) => r.url);
    for (const url of [
      '/cookies',
      '/privacy-center/choices',
      '/privacy-center/request',
      '/get-started',
      '/api/event',
    ])
      expect(urls).toContain(url);
    const before = await tableCounts(t.db);
    for (const route of routes) {
      if (route.allowedBecause !== undefined) {
        expect(route.allowedBecause.length, `${route.method} ${route.url}`).toBeGreaterThan(10);
        continue;
      }
      const res = await t.app.inject({
        method: route.method as 'POST',
        url: concrete(route.url),
        headers: { ...form, ...evil, 'sec-gpc': '1' },
        payload: 'choice=accept&analyticsCookies=allow&advertisingCookies=allow',
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expect(res.body, `${route.method} ${route.url}`).toMatch(crossSiteMessage);
      expect(res.headers['set-cookie'], `${route.method} ${route.url}`).toBeUndefined();
    }
    expect(await tableCounts(t.db)).toEqual(before);
  });

  it('cannot grant analytics and advertising consent through the Privacy Center', async () => {
    const before = await tableCounts(t.db);
    const res = await t.app.inject({
      method: 'POST',
      url: '/privacy-center/choices',
      headers: { ...form, ...evil },
      payload: 'analyticsCookies=allow&advertisingCookies=allow',
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toMatch(crossSiteMessage);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await tableCounts(t.db)).toEqual(before);
    // The next page view serves no consented tag: the browser still has no choice.
    expect((await t.app.inject('/')).body).toContain('data-cookie-banner');
  });

  it('are refused when only Origin or Referer names another site, or a sibling site', async () => {
    for (const headers of [
      { origin: 'https://evil.example' },
      { referer: 'https://evil.example/page' },
      { 'sec-fetch-site': 'same-site', origin: 'null' },
      { origin: 'http://localhost:3000.evil.example' },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/cookies',
        headers: { ...form, ...headers },
        payload: 'choice=accept',
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.body).toMatch(crossSiteMessage);
    }
  });

  it('refuses a post that cannot show where it came from, saying what to do', async () => {
    for (const headers of [{ 'sec-fetch-site': undefined }, { origin: 'null' }]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/privacy-center/choices',
        headers: { 'content-type': 'application/json', ...headers },
        payload: { analyticsCookies: 'allow' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatch(unknownMessage);
      expect(res.json().error).toContain(t.site.company.phone);
    }
  });
});

describe('honest posts from the site', () => {
  const post = (url: string, payload: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, headers: { ...form, ...headers }, payload });

  it('save a no-JS cookie choice, from a browser that sends Sec-Fetch-Site or only Origin', async () => {
    const modern = await post('/cookies', 'choice=reject', {
      'sec-fetch-site': 'same-origin',
      origin: 'null',
    });
    expect(modern.statusCode).toBe(303);
    expect(cookieJar(modern).spmb_choices).toMatch(/^a:d\.d:d/);
    const older = await post('/cookies', 'choice=reject', { origin: 'http://localhost:3000' });
    expect(older.statusCode).toBe(303);
  });

  it('save Privacy Center choices', async () => {
    const res = await post(
      '/privacy-center/choices',
      'analyticsCookies=deny&advertisingCookies=deny',
      {
        'sec-fetch-site': 'same-origin',
      },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/privacy-center/choices/saved');
  });

  it('submit the intake form', async () => {
    const page = await t.app.inject('/get-started');
    const fields = new URLSearchParams({
      userType: 'provider',
      name: 'Dana Field',
      organization: 'Field Clinic',
      practiceSize: '2-5',
      address: '1 Elm Street',
      city: 'Dallas',
      state: 'TX',
      zip: '75201',
      email: 'dana@field.example',
      needs: 'Help with billing.',
      formToken: hiddenField(page.body, 'formToken'),
    });
    const res = await post('/get-started', fields.toString(), { 'sec-fetch-site': 'same-origin' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/get-started/thanks');
    expect(await t.leadIdByEmail('dana@field.example')).toBeTruthy();
  });
});

describe('a route that opts out', () => {
  async function appWith(allowedBecause: string) {
    const app = Fastify();
    app.decorateRequest('site', { getter: () => loadSiteConfig() });
    registerErrorHandling(app);
    guardCrossSite(app, { siteOrigin: 'https://www.example.com' });
    app.post('/guarded', async () => 'saved');
    app.post('/open', { config: { crossSite: { allowedBecause } } }, async () => 'saved');
    await app.ready();
    return app;
  }

  it('accepts cross-site posts only where it says why, and is listed with its reason', async () => {
    const app = await appWith('Sent by partner sites on purpose; it changes nothing for a person.');
    const send = (url: string) => app.inject({ method: 'POST', url, headers: evil });
    expect((await send('/guarded')).statusCode).toBe(403);
    expect((await send('/open')).statusCode).toBe(200);
    // An address with no route is still a 404: nothing there could change.
    expect((await send('/nowhere')).statusCode).toBe(404);
    expect(app.stateChangingRoutes).toEqual([
      { method: 'POST', url: '/guarded' },
      { method: 'POST', url: '/open', allowedBecause: expect.stringContaining('partner sites') },
    ]);
    await app.close();
  });

  it('cannot opt out without a reason: the app does not start', async () => {
    await expect(appWith(' ')).rejects.toThrow(/must say why/);
  });
});
