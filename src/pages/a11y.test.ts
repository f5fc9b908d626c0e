import { describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, withBrowser } from '../../test/e2e/support.js';

// The public pages in a real browser: axe-core's WCAG 2.1 A/AA rules (contrast included) at
// desktop and phone widths, no sideways scrolling on a phone, and a skip link that works.

const pages = ['/', '/services', '/about', '/partners', '/privacy', '/no-such-page'];

describe.skipIf(!hasChromium)('public pages in Chromium', () => {
  const ctx = withBrowser();

  it.each([
    ['desktop', 1280],
    ['phone', 375],
  ] as const)('pass axe-core and fit the screen at %s width', async (_label, width) => {
    const page = await ctx.browser.newPage({ viewport: { width, height: 800 } });
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    for (const path of pages) {
      await page.goto(ctx.server.url + path);
      expect(await axeViolations(page), path).toEqual([]);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
    expect(refused).toEqual([]);
    await page.close();
  });

  it('the skip link is the first stop and moves focus to the main content', async () => {
    const page = await ctx.browser.newPage();
    await page.goto(`${ctx.server.url}/services`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const visible = await page.locator('a.skip').boundingBox();
    expect(visible?.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.close();
  });
});
