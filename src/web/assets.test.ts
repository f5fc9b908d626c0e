import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteConfig } from '../config/site.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { assetHref, immutableCache, scriptHref, siteAssets } from './assets.js';
import { negotiateEncoding } from './compress.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('hashed assets', () => {
  it('are served a year, immutable, with an ETag; the plain names stay an hour', async () => {
    const href = assetHref(t.site, 'site.css');
    expect(href).toMatch(/^\/static\/site\.[0-9a-f]{10}\.css$/);
    const res = await t.app.inject(href);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.headers['cache-control']).toBe(immutableCache);
    expect(res.headers['set-cookie']).toBeUndefined();
    const again = await t.app.inject({
      url: href,
      headers: { 'if-none-match': res.headers.etag! },
    });
    expect(again.statusCode).toBe(304);
    const plain = await t.app.inject('/static/site.css');
    expect(plain.headers['cache-control']).toBe('public, max-age=3600');
    // The cookie notice's script too, linked by its hashed name from every page with the notice.
    const script = scriptHref('cookies.js');
    expect(script).toMatch(/^\/static\/cookies\.[0-9a-f]{10}\.js$/);
    const js = await t.app.inject(script);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe(immutableCache);
    expect(js.body).toBe((await t.app.inject('/static/cookies.js')).body);
    expect((await t.app.inject({ url: '/', headers: { accept: 'text/html' } })).body).toContain(
      `<script src="${script}" defer>`,
    );
  });

  it('bundle the theme into one minified stylesheet per layout', async () => {
    const css = (await t.app.inject(assetHref(t.site, 'site.css'))).body;
    const source = (await t.app.inject('/static/site.css')).body;
    expect(css).toContain(`--primary:${t.site.colours.primary}`);
    expect(css).not.toMatch(/\n\s/);
    expect(css.length).toBeLessThan(source.length * 0.9);
    const consoleCss = (await t.app.inject(assetHref(t.site, 'console.css'))).body;
    expect(consoleCss.length).toBeGreaterThan(css.length);
    expect(consoleCss).toContain('.console-nav');
  });

  it('change name when the content changes, and not otherwise', () => {
    const other = { ...loadSiteConfig(), colours: { ...t.site.colours, primary: '#336699' } };
    expect(assetHref(other, 'site.css')).not.toBe(assetHref(t.site, 'site.css'));
    expect(assetHref(other, 'apple-touch-icon.png')).toBe(
      assetHref(t.site, 'apple-touch-icon.png'),
    );
    expect(siteAssets(t.site)).toBe(siteAssets(t.site));
  });

  it('are compressed once, when the browser accepts it', async () => {
    const href = assetHref(t.site, 'site.css');
    const plain = await t.app.inject(href);
    const gz = await t.app.inject({ url: href, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    const again = await t.app.inject({ url: href, headers: { 'accept-encoding': 'gzip' } });
    expect(again.rawPayload.equals(gz.rawPayload)).toBe(true);
    // The weak tag the compressed answer carries still revalidates.
    const revalidated = await t.app.inject({
      url: href,
      headers: { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) },
    });
    expect(revalidated.statusCode).toBe(304);
  });
});

describe('negotiateEncoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['gzip', 'gzip'],
    ['gzip, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', null],
    ['*', 'br'],
    ['deflate', null],
  ])('%s → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});
