import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSections } from '../../src/console/permissions.js';
import { consoleBrowser, type ConsoleBrowser } from './console-browser.js';
import { axeViolations, contrastFailures, hasChromium } from './support.js';

// Every console screen an administrator can open (the menu's list, so a new screen is checked
// the day it is added), at desktop and phone widths: WCAG 2.1 A/AA with colour contrast
// measured, not left "incomplete"; and the phone's menu button opens the screens.

const screens = ['/console', ...consoleSections.map((s) => s.href), '/console/privacy/new'];

describe.skipIf(!hasChromium)('console screens in Chromium', () => {
  let server: ConsoleBrowser['server'];
  let context: BrowserContext;
  let close = async () => {};
  beforeAll(async () => {
    ({ server, context, close } = await consoleBrowser('admin'));
  });
  afterAll(() => close());

  it.each([
    ['desktop', 1280],
    ['phone', 390],
  ] as const)('pass axe-core and the contrast check at %s width', async (_label, width) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    for (const path of screens) {
      const res = await page.goto(server.url + path);
      expect(res?.status(), path).toBe(200);
      expect(await axeViolations(page), path).toEqual([]);
    }
    await page.close();
  });

  it('finds blue text on a blue button, which axe alone left incomplete', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    await page.evaluate(() => {
      const a = document.createElement('a');
      a.href = '#';
      a.textContent = 'Unreadable';
      a.style.cssText = 'background: rgb(29, 78, 137); color: rgb(29, 78, 137)';
      document.querySelector('main')!.append(a);
    });
    expect((await contrastFailures(page)).join('\n')).toContain('"Unreadable"');
    await page.close();
  });

  it('puts the screens behind a menu button on a phone', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/console`);
    const leads = page.getByRole('navigation', { name: 'Console' }).getByRole('link', {
      name: 'Leads',
    });
    expect(await leads.isVisible()).toBe(false);
    await page.getByText('Menu', { exact: true }).click();
    expect(await leads.isVisible()).toBe(true);
    await leads.click();
    await page.waitForURL('**/console/leads');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.getByText('Menu', { exact: true }).isVisible()).toBe(false);
    expect(await leads.isVisible()).toBe(true);
    await page.close();
  });
});
