import { randomUUID } from 'node:crypto';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../../src/disclosures/testing.js';
import { recordDisclosure } from '../../src/privacy/disclosures.js';
import { consoleBrowser, type ConsoleBrowser } from './console-browser.js';
import { axeViolations, hasChromium } from './support.js';

// The registry and ledger screens in a real browser: WCAG 2.1 A/AA (axe-core) at desktop and
// phone widths, with the form's errors shown, and a registration done by keyboard and mouse.

const SHOTS = process.env.SCREENSHOTS_DIR;

describe.skipIf(!hasChromium)('disclosure screens in Chromium', () => {
  let server: ConsoleBrowser['server'];
  let context: BrowserContext;
  let close = async () => {};
  beforeAll(async () => {
    ({ server, context, close } = await consoleBrowser('admin'));
    const relay = await addRecipient(server, {
      name: 'Relay Mail Co',
      categories: ['contact.email'],
    });
    await recordDisclosure(
      server.db,
      {
        recipientId: relay,
        basis: 'requested_service',
        purpose: 'service_request',
        categories: ['contact.email'],
        subjects: [{ type: 'lead', id: randomUUID() }],
        actor: { kind: 'system', name: 'outbox' },
        channel: 'email_provider',
      },
      server.clock.now(),
    );
  });
  afterAll(() => close());

  it.each([
    ['desktop', 1280],
    ['phone', 375],
  ] as const)('pass axe-core at %s width, errors included', async (label, width) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    for (const path of [
      '/console/settings/processors',
      '/console/settings/processors/new',
      '/console/disclosures',
    ]) {
      await page.goto(server.url + path);
      if (SHOTS)
        await page.screenshot({
          path: `${SHOTS}/${label}${path.replaceAll('/', '-')}.png`,
          fullPage: true,
        });
      expect(await axeViolations(page), path).toEqual([]);
    }
    await page.goto(`${server.url}/console/settings/processors/new`);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForSelector('#error-summary');
    expect(await axeViolations(page), 'form with errors').toEqual([]);
    if (SHOTS)
      await page.screenshot({ path: `${SHOTS}/${label}-processor-errors.png`, fullPage: true });
    await page.close();
  });

  it('registers a service provider through the form', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/console/settings/processors/new`);
    await page.getByLabel('Key').fill('sms-gateway');
    await page.getByLabel('Organisation name').fill('Text Gateway LLC');
    await page.getByLabel(/^contact\.phone:/).check();
    await page
      .getByLabel('What it does for us')
      .fill('sends the text messages you agreed to receive');
    await page.getByLabel('Contract reference').fill('DPA-SMS-1');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/console\/settings\/processors$/);
    expect(await page.getByRole('cell', { name: 'sms-gateway' }).count()).toBe(1);
    await page.goto(`${server.url}/privacy`);
    // Listed once among the service providers, and dated in the change log as a new version.
    expect(await page.locator('#service-providers').getByText('Text Gateway LLC').count()).toBe(1);
    expect(
      await page
        .locator('.history')
        .getByText(/Text Gateway LLC now acts as a service provider/)
        .count(),
    ).toBe(1);
    await page.close();
  });
});
