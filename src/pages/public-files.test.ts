import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fidesDataCategories, fidesDataUses } from '../privacy/fideslang.js';
import { currentPolicy } from '../privacy/policy-versions.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { postForm, staffJar } from '../test-support/staff.js';
import { disallowedPaths, publicPages } from './registry.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

/** Every file: its type, a cache lifetime, an ETag that revalidates, and no cookie. */
async function expectCacheable(url: string, type: RegExp, cacheControl: string) {
  const res = await get(url);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(type);
  expect(res.headers['cache-control']).toBe(cacheControl);
  expect(res.headers['set-cookie']).toBeUndefined();
  const etag = String(res.headers.etag);
  expect(etag).toMatch(/^"[\w-]+"$/);
  const again = await get(url, { 'if-none-match': etag });
  expect(again.statusCode).toBe(304);
  expect(again.body).toBe('');
  // The tag a browser holds after a compressed answer is weak: it revalidates all the same.
  expect((await get(url, { 'if-none-match': `W/${etag}` })).statusCode).toBe(304);
  return res;
}

describe('robots.txt', () => {
  it('keeps crawlers out of the console, portals, secret links and thanks pages', async () => {
    const res = await expectCacheable('/robots.txt', /^text\/plain/, 'public, max-age=3600');
    const lines = res.body.split('\n');
    expect(lines[0]).toBe('User-agent: *');
    for (const p of [
      '/console',
      '/portal/',
      '/privacy-center/r/',
      '/setup/',
      '/get-started/thanks',
      '/privacy-center/sent',
    ])
      expect(lines).toContain(`Disallow: ${p}`);
    expect(lines).toContain('Sitemap: http://localhost:3000/sitemap.xml');
    // No public page is disallowed by a prefix.
    for (const page of publicPages)
      for (const d of disallowedPaths)
        expect(page.path.startsWith(d) && page.path !== '/', `${page.path} vs ${d}`).toBe(false);
  });
});

describe('sitemap.xml', () => {
  it('lists every registered public page at the configured address, each answering 200', async () => {
    const res = await expectCacheable('/sitemap.xml', /^application\/xml/, 'public, max-age=3600');
    const locs = [...res.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs).toEqual(publicPages.map((p) => `http://localhost:3000${p.path}`));
    expect(res.body).toContain(`<lastmod>${currentPolicy.effective}</lastmod>`);
    for (const p of publicPages) {
      const page = await get(p.path, { accept: 'text/html' });
      expect(page.statusCode, p.path).toBe(200);
      expect(page.body, p.path).not.toContain('name="robots" content="noindex');
    }
  });
});

describe('/favicon.ico', () => {
  it('points at the hashed SVG icon, which is served for a year', async () => {
    const res = await get('/favicon.ico');
    expect(res.statusCode).toBe(301);
    const icon = String(res.headers.location);
    expect(icon).toMatch(/^\/static\/logo\.[0-9a-f]{10}\.svg$/);
    const svg = await get(icon);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('/.well-known/gpc.json', () => {
  it('declares that GPC is honoured, dated by the policy version that says so', async () => {
    const res = await expectCacheable(
      '/.well-known/gpc.json',
      /^application\/json/,
      'public, max-age=3600',
    );
    expect(res.json()).toEqual({ gpc: true, lastUpdate: '2026-12-07' });
  });
});

describe('/.well-known/security.txt', () => {
  it('has Contact, Policy and an Expires computed from the clock (RFC 9116)', async () => {
    const res = await expectCacheable(
      '/.well-known/security.txt',
      /^text\/plain/,
      'public, max-age=3600',
    );
    const fields = res.body
      .trim()
      .split('\n')
      .map((l) => l.split(': '));
    const field = (name: string) => fields.filter(([k]) => k === name).map(([, v]) => v);
    expect(field('Contact')).toEqual(t.site.security!.contact);
    expect(field('Policy')).toEqual(['http://localhost:3000/privacy#security']);
    expect(field('Canonical')).toEqual(['http://localhost:3000/.well-known/security.txt']);
    const expires = new Date(field('Expires')[0]!);
    const days = (expires.getTime() - t.clock.now().getTime()) / 86_400_000;
    // The start of the serving day plus the configured days: never past a year (RFC 9116 2.5.5).
    expect(days).toBeGreaterThan(t.site.security!.expiresDays - 1);
    expect(days).toBeLessThanOrEqual(t.site.security!.expiresDays);
    expect(field('Expires')[0]).toMatch(/^\d{4}-\d\d-\d\dT00:00:00Z$/);
  });
});

describe('/privacy.json', () => {
  it('states the data map as /privacy does, labelled with fideslang, under its version', async () => {
    const res = await expectCacheable('/privacy.json', /^application\/json/, 'public, no-cache');
    const doc = res.json();
    expect(doc.policy).toEqual({
      version: currentPolicy.version,
      effective: currentPolicy.effective,
      url: 'http://localhost:3000/privacy',
    });
    const page = (await get('/privacy', { accept: 'text/html' })).body.toLowerCase();
    expect(page).toContain(`version ${currentPolicy.version}`);
    expect(doc.categories_collected.length).toBeGreaterThan(5);
    for (const c of doc.categories_collected) {
      // What the page says, word for word, with the taxonomy's keys beside it.
      expect(page).toContain(c.label.toLowerCase());
      expect(c.fides_data_categories.length).toBeGreaterThan(0);
      for (const k of c.fides_data_categories) expect(fidesDataCategories).toContain(k);
      for (const p of c.purposes) {
        expect(p.fides_data_uses.length).toBeGreaterThan(0);
        for (const u of p.fides_data_uses) expect(fidesDataUses).toContain(u);
      }
      expect(c.retention.length).toBeGreaterThan(0);
    }
    const email = doc.categories_collected.find((c: { key: string }) => c.key === 'contact.email');
    expect(email.fides_data_categories).toEqual(['user.contact.email']);
    expect(doc.recipients.third_parties).toEqual([]);
    expect(doc.disclosure_bases.map((d: { key: string }) => d.key)).toContain('consent');
  });

  it('follows the service-provider registry, with a new policy version', async () => {
    const before = (await get('/privacy.json')).json();
    const admin = await staffJar(t, 'admin');
    const registered = await postForm(t, admin, '/console/settings/processors', {
      kind: 'processor',
      key: 'harbor-relay',
      name: 'Harbor Mail Relay',
      categories: ['contact.email'],
      purpose: 'delivers the emails we send',
      contractRef: 'DPA-1',
    });
    expect(registered.statusCode).toBe(303);
    const after = (await get('/privacy.json')).json();
    expect(after.policy.version).toBe(`${before.policy.version}.1`);
    expect(after.recipients.service_providers).toEqual([
      {
        name: 'Harbor Mail Relay',
        purpose: 'delivers the emails we send',
        receives: ['your email address'],
        fides_data_categories: ['user.contact.email'],
      },
    ]);
    const page = (await get('/privacy', { accept: 'text/html' })).body;
    expect(page).toContain(`Version ${after.policy.version}`);
  });
});

describe('compression', () => {
  it('sends public pages and files with Brotli or gzip, as accepted, and never the console', async () => {
    // A returning visitor (a choice made): the page is the same for everyone, kept compressed.
    const returning = { accept: 'text/html', cookie: 'spmb_choices=a:d.d:d.v:1_4' };
    const plain = await get('/privacy', returning);
    const br = await get('/privacy', { ...returning, 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers.etag).toMatch(/^W\//);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    const gz = await get('/privacy.json', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString())).toEqual(
      (await get('/privacy.json')).json(),
    );
    const none = await get('/privacy', { accept: 'text/html', 'accept-encoding': 'identity' });
    expect(none.headers['content-encoding']).toBeUndefined();
    const login = await get('/console/login', { 'accept-encoding': 'br, gzip' });
    expect(login.statusCode).toBe(200);
    expect(login.headers['content-encoding']).toBeUndefined();
  });

  it('sends a page with per-visitor values as one gzip stream spliced around them', async () => {
    // The form's token and the notice's return address differ per response: the fixed parts
    // are compressed once, the values go between them as they are (src/web/compress.ts).
    for (const [url, headers] of [
      ['/get-started', { accept: 'text/html' }],
      ['/services?from=a%22b<c', { accept: 'text/html' }],
    ] as const) {
      const gz = await get(url, { ...headers, 'accept-encoding': 'br, gzip' });
      expect(gz.statusCode).toBe(200);
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toMatch(/accept-encoding/i);
      const page = gunzipSync(gz.rawPayload).toString();
      const plain = (await get(url, headers)).body;
      // The same page but for the per-response token.
      const token = /name="formToken" value="[^"]*"/g;
      expect(page.replace(token, '')).toBe(plain.replace(token, ''));
      expect(page).toMatch(/<\/html>$/);
      // Smaller than the page: the fixed parts are compressed.
      expect(gz.rawPayload.length).toBeLessThan(plain.length / 2);
    }
  });
});

describe('hostile requests', () => {
  it('name BASE_URL whatever Host header comes, and reflect no query string', async () => {
    for (const url of [
      '/robots.txt',
      '/sitemap.xml',
      '/.well-known/security.txt',
      '/privacy.json',
    ]) {
      const plain = await get(url);
      const forged = await get(`${url}?q=%3Cscript%3E`, {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
      });
      expect(forged.statusCode, url).toBe(plain.statusCode);
      expect(forged.body, url).toBe(plain.body);
      expect(forged.body, url).not.toContain('evil.example');
      expect(forged.body, url).not.toContain('<script>');
      // Text the database could not store is refused everywhere, with a reason (never a 500).
      expect((await get(`${url}?q=%00%01`)).statusCode, url).toBe(400);
    }
    const canonical = await get('/', { host: 'evil.example', accept: 'text/html' });
    expect(canonical.body).toContain('<link rel="canonical" href="http://localhost:3000/"/>');
  });

  it('answer only GET and HEAD, and set no cookie', async () => {
    for (const url of ['/robots.txt', '/.well-known/gpc.json', '/privacy.json']) {
      const head = await t.app.inject({ method: 'HEAD', url });
      expect(head.statusCode, url).toBe(200);
      expect(head.body).toBe('');
      const post = await t.app.inject({ method: 'POST', url, payload: {} });
      expect(post.statusCode, url).toBe(404);
      expect(post.headers['set-cookie']).toBeUndefined();
    }
  });
});
