import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  linkIn,
  registerRelay,
  settle,
  submitLead,
  lastMailTo,
} from '../../src/privacy-center/testing.js';
import { startSmtp } from '../../src/test-support/smtp.js';
import { axeViolations, hasChromium, launch, serve } from './support.js';

type Server = Awaited<ReturnType<typeof serve>>;

describe.skipIf(!hasChromium)('a person asks for their data in the Privacy Center', () => {
  let browser: Browser;
  let server: Server;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await serve({ env: { SMTP_URL: smtp.url, NOTIFY_EMAIL: 'leads@starspmb.test' } });
    await registerRelay(server);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('passes axe-core', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/privacy-center`);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('requests access, follows the emailed link and sees the report', async () => {
    await submitLead(server, 'morgan@ellis-clinic.example');
    await settle(server, smtp);
    const page = await browser.newPage();
    await page.goto(`${server.url}/privacy-center`);
    await page
      .getByLabel('Show me the information you hold about me, with a copy I can download')
      .check();
    await page.getByLabel('Your email address').fill('morgan@ellis-clinic.example');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL('**/privacy-center/sent');
    await settle(server, smtp);
    const mail = lastMailTo(smtp, 'morgan@ellis-clinic.example');
    // The link is opened on this server's own port (the mail names the configured BASE_URL).
    await page.goto(server.url + linkIn(mail.raw));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toContain('The information we hold about you');
    expect(await page.content()).toContain('Stone Orthopedics');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
