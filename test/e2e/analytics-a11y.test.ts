import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAnalytics } from '../../src/analytics/dashboard/fixture.js';
import { axeViolations, hasChromium, launch, serve } from './support.js';

// The analytics dashboard in a real browser: WCAG 2.1 A/AA (axe-core) at desktop and phone
// widths, unfiltered and with filters active.

type Server = Awaited<ReturnType<typeof serve>>;

describe.skipIf(!hasChromium)('analytics dashboard in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let context: BrowserContext;
  beforeAll(async () => {
    server = await serve();
    browser = await launch();
    const password = 'correct horse battery staple';
    await server.app.accounts.createStaffUser({
      email: 'm@example.test',
      password,
      role: 'marketing',
    });
    const { token } = await server.app.accounts.login('m@example.test', password);
    const now = Date.now();
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
    context = await browser.newContext();
    await context.addCookies([{ name: 'sid', value: token, url: server.url }]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

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
