import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/accounts/totp.js';
import { TestClock } from '../../src/test-support/app.js';
import { axeViolations, hasChromium, launch, serve } from './support.js';

type Server = Awaited<ReturnType<typeof serve>>;

// An administrator signs in for the first time, is sent to set up two-step sign-in, reads the
// key from the page, confirms it with a code computed as an authenticator app would (RFC 6238,
// from the app's clock), then signs out and in again with a new code.

const email = 'ada@starspmb.test';
const password = 'correct horse battery staple';

describe.skipIf(!hasChromium)('an administrator sets up two-step sign-in', () => {
  let browser: Browser;
  let server: Server;
  const clock = new TestClock();

  beforeAll(async () => {
    server = await serve({ clock });
    browser = await launch();
    await server.app.accounts.createStaffUser({ email, password, role: 'admin' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('enrols from the key on the page and signs in with a computed code', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/console/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console/account/two-factor/enrol');
    expect(await axeViolations(page)).toEqual([]);
    await expect
      .poll(() => page.locator('img.totp-qr').evaluate((i: HTMLImageElement) => i.naturalWidth))
      .toBeGreaterThan(0);

    // The key as a person would copy it: the text, spaces removed.
    const shown = await page.locator('#totp-secret').innerText();
    const secret = shown.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code').fill(totpCode(secret, clock.now()));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    expect(await page.locator('#recovery-codes li').count()).toBe(10);
    await page.getByRole('link', { name: 'I have saved them, continue' }).click();
    await page.waitForURL((url) => url.pathname === '/console');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/console/login');
    clock.advance(30_000);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console/login/code');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Code').fill(totpCode(secret, clock.now()));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/console');
    expect(await page.getByRole('heading', { level: 1 }).first().innerText()).toBeTruthy();
    await page.close();
  });
});
