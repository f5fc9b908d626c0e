import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAnalytics } from '../../src/analytics/dashboard/fixture.js';
import { consoleBrowser, type ConsoleBrowser } from './console-browser.js';
import { axeViolations, hasChromium } from './support.js';

// The analytics dashboard in a real browser: WCAG 2.1 A/AA (axe-core) at desktop and phone
// widths, unfiltered and with filters active.

describe.skipIf(!hasChromium)('analytics dashboard in Chromium', () => {
  let server: ConsoleBrowser['server'];
  let context: BrowserContext;
  let close = async () => {};
  beforeAll(async () => {
    ({ server, context, close } = await consoleBrowser('marketing'));
    const now = server.clock.now().getTime();
    await seedAnalytics(server.db, [
      {
        visitor: 'a',
        start: now - 3_600_000,
        pages: ['/', '/services'],
        device: 1,
        region: 'Texas, US',
      },
      {
        visitor: 'b',
        start: now - 86_400_000,
        pages: ['/about'],
        device: 2,
        region: 'Texas, US',
        events: [{ name: 'cta', props: { where: 'hero' } }],
      },
    ]);
  });
  afterAll(() => close());

  it.each([
    ['desktop', 1280],
    ['phone', 375],
  ] as const)('passes axe-core at %s width', async (_label, width) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${server.url}/console/analytics?range=7d`);
    expect(await axeViolations(page)).toEqual([]);
    await page
      .getByRole('link', { name: /mobile/ })
      .first()
      .click();
    await page.waitForURL('**device=2**');
    await expect(page.getByRole('heading', { name: 'Active filters' }).count()).resolves.toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
