import { describe, expect, it } from 'vitest';
import { publicPages } from '../../src/pages/registry.js';
import { hasChromium, withBrowser } from './support.js';

// What a crawler and a phone see: robots.txt and the sitemap it points to, each listed page
// reachable and not shut out by robots.txt, icons and the one stylesheet, and a cookie notice
// that leaves most of a phone's screen to the page.

describe.skipIf(!hasChromium)('search engines and phones, in Chromium', () => {
  const ctx = withBrowser();

  it('robots.txt points to a sitemap whose pages all load and none is disallowed', async () => {
    const page = await ctx.browser.newPage();
    const robots = await page.goto(`${ctx.server.url}/robots.txt`);
    expect(robots?.status()).toBe(200);
    const lines = (await robots!.text()).split('\n');
    const disallowed = lines.filter((l) => l.startsWith('Disallow: ')).map((l) => l.slice(10));
    expect(disallowed).toEqual(
      expect.arrayContaining(['/console', '/portal/', '/privacy-center/r/']),
    );
    const sitemapUrl = lines.find((l) => l.startsWith('Sitemap: '))!.slice(9);
    const sitemap = await page.goto(sitemapUrl);
    expect(sitemap?.headers()['content-type']).toMatch(/xml/);
    const locs = [...(await sitemap!.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    expect(locs).toHaveLength(publicPages.length);
    for (const loc of locs) {
      const path = new URL(loc).pathname;
      expect(
        disallowed.some((d) => path.startsWith(d)),
        path,
      ).toBe(false);
      const res = await page.goto(loc);
      expect(res?.status(), loc).toBe(200);
      // One render-blocking stylesheet, under a hashed name; the canonical address is the listed one.
      const sheets = await page.$$eval('link[rel=stylesheet]', (ls) =>
        ls.map((l) => l.getAttribute('href')),
      );
      expect(sheets, loc).toHaveLength(1);
      expect(sheets[0]).toMatch(/^\/static\/site\.[0-9a-f]{10}\.css$/);
      expect(await page.getAttribute('link[rel=canonical]', 'href')).toBe(loc);
    }
    // The console is disallowed and links its icon, so no /favicon.ico 404 either way.
    await page.goto(`${ctx.server.url}/console/login`);
    const icon = await page.getAttribute('link[rel=icon]', 'href');
    expect((await page.request.get(`${ctx.server.url}${icon}`)).status()).toBe(200);
    expect((await page.request.get(`${ctx.server.url}/favicon.ico`)).status()).toBe(200);
    await page.close();
  });

  it('the cookie notice takes at most a third of a 390×844 phone screen', async () => {
    const context = await ctx.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    for (const path of ['/', '/services', '/privacy', '/get-started']) {
      await page.goto(`${ctx.server.url}${path}`);
      const box = await page.locator('.cookie-banner').boundingBox();
      expect(box, path).not.toBeNull();
      expect(box!.height, path).toBeLessThanOrEqual(844 / 3);
      // Both equal choices are in view without scrolling.
      for (const name of ['Accept all', 'Reject all']) {
        const b = await page.getByRole('button', { name, exact: true }).first().boundingBox();
        expect(b!.y + b!.height, `${path}: ${name}`).toBeLessThanOrEqual(844 / 3);
      }
    }
    // In Spanish too, whose sentences are longer.
    await page.goto(`${ctx.server.url}/cookies/lang?to=es&back=%2F`);
    expect(await page.getAttribute('.cookie-banner', 'lang')).toBe('es');
    const es = await page.locator('.cookie-banner').boundingBox();
    expect(es!.height).toBeLessThanOrEqual(844 / 3);
    await context.close();
  });
});
