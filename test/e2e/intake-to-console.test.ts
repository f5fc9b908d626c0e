import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launch, serve } from './support.js';

type Server = Awaited<ReturnType<typeof serve>>;

describe.skipIf(!hasChromium)('a visitor expresses interest and staff find the lead', () => {
  let browser: Browser;
  let server: Server;

  beforeAll(async () => {
    server = await serve();
    browser = await launch();
    await server.app.accounts.createStaffUser({
      email: 'sales@starspmb.test',
      password: 'correct horse battery staple',
      role: 'sales',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('home and form pass axe-core', async () => {
    const page = await browser.newPage();
    for (const path of ['/', '/get-started']) {
      await page.goto(server.url + path);
      expect(await axeViolations(page), path).toEqual([]);
    }
    await page.close();
  });

  it('the form submits and lands the lead in the database', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/get-started?utm_source=e2e&utm_campaign=browser`);
    await page.getByLabel('Provider or practice').check();
    await page.getByLabel('Your name').fill('Morgan Ellis');
    await page.getByLabel('Email address').fill('morgan@ellis-clinic.example');
    await page.getByLabel('Telephone').fill('(469) 555-0188');
    await page.getByLabel('Practice name').fill('Ellis Pediatric Clinic');
    await page.getByLabel('Number of providers in your practice').selectOption('2-5');
    await page.getByLabel('Street address of the practice').fill('45 Oak Lane');
    await page.getByLabel('City').fill('Plano');
    await page.getByLabel('State').selectOption('TX');
    await page.getByLabel('ZIP code').fill('75024');
    await page
      .getByLabel('What do you need help with?')
      .fill('Help with credentialing two new providers.');
    await page.getByLabel(/send me text messages/).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL('**/get-started/thanks');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toContain('Thank you');

    const id = await server.leadIdByEmail('morgan@ellis-clinic.example');
    const stored = await server.db
      .selectFrom('leads')
      .select(['id', 'phone', 'organization'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const lead = server.kernel.open('leads', stored);
    expect(lead.phone).toBe('+14695550188');
    const sub = await server.db
      .selectFrom('lead_submissions')
      .select(['utm_source', 'utm_campaign'])
      .where('lead_id', '=', lead.id)
      .executeTakeFirstOrThrow();
    expect(sub).toEqual({ utm_source: 'e2e', utm_campaign: 'browser' });
    await page.close();
  });

  it('works without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/get-started`);
    await page.getByLabel('Patient (a question about a bill)').check();
    // Without JavaScript the choice goes to the server, which shows a patient's questions.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Your name').fill('Sam Rivera');
    await page.getByLabel('Email address').fill('sam.rivera@mail.example');
    // No texts wanted, so no number; a patient is asked for no address at all.
    expect(await page.getByLabel('Street address of the practice').isVisible()).toBe(false);
    await page
      .getByLabel('What is your question about the bill?')
      .fill('I have a question about a statement I received.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL('**/get-started/thanks');
    await context.close();
  });

  it('staff log in, find the lead, see no phone number (SMS only), and the inbox passes axe-core', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/console/leads`);
    await page.waitForURL('**/console/login**');
    await page.getByLabel('Email').fill('sales@starspmb.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: /sign in|log in/i }).click();
    await page.waitForURL('**/console/leads');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: /Morgan Ellis/ }).click();
    await expect.poll(() => page.textContent('body')).toContain('Ellis Pediatric Clinic');
    const body = (await page.textContent('body')) ?? '';
    expect(body).not.toContain('0188');
    expect(body).not.toContain('469');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
