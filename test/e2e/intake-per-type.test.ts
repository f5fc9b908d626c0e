import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, withBrowser } from './support.js';

// The intake form as a patient and as a partner fill it in a browser with JavaScript: the
// labels change in place with the choice, every error shows at once in the order of the page,
// and a corrected form is accepted.

const summaryItems = (page: Page) =>
  page
    .locator('#error-summary li a')
    .evaluateAll((links) => links.map((a) => (a.getAttribute('href') ?? '').slice(1)));

describe.skipIf(!hasChromium)('the intake form per type of user, in a browser', () => {
  const ctx = withBrowser();

  it('as a patient: no address or practice size, what we can do for patients, all errors at once, then sent', async () => {
    const page = await ctx.browser.newPage();
    await page.goto(`${ctx.server.url}/?utm_source=flyer&utm_campaign=waiting-room`);
    await page.getByRole('link', { name: 'Get started' }).first().click();
    await page.waitForURL('**/get-started?**');
    // Before a choice, only the choice; the no-JavaScript button is gone.
    expect(await page.getByLabel('Your name').isVisible()).toBe(false);
    expect(await page.locator('#show-questions').isVisible()).toBe(false);

    await page.getByLabel('Patient (a question about a bill)').check();
    for (const label of ['Your name', 'Email address', 'What is your question about the bill?'])
      expect(await page.getByLabel(label).isVisible(), label).toBe(true);
    expect(
      await page.getByText('Practice or provider named on your bill (optional)').isVisible(),
    ).toBe(true);
    for (const id of ['address', 'city', 'state', 'zip', 'practiceSize'])
      expect(await page.locator(`#${id}`).isVisible(), id).toBe(false);
    expect(await page.locator('#patient-help').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // Sent empty: every missing answer at once, in the order of the page.
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForSelector('#error-summary');
    expect(await summaryItems(page)).toEqual(['name', 'email', 'needs']);
    // The server's page is worded for the patient too, and keeps the campaign.
    expect(await page.locator('#address').isVisible()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Your name').fill('Rosa Delgado');
    await page.getByLabel('Email address').fill('rosa.delgado@mail.example');
    await page
      .getByLabel('What is your question about the bill?')
      .fill('I was billed twice for one visit.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL('**/get-started/thanks');

    const id = await ctx.server.leadIdByEmail('rosa.delgado@mail.example');
    const sub = await ctx.server.db
      .selectFrom('lead_submissions')
      .select(['user_type', 'address', 'practice_size', 'utm_source', 'utm_campaign'])
      .where('lead_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(ctx.server.kernel.open('lead_submissions', sub)).toEqual({
      user_type: 'patient',
      address: '',
      practice_size: '',
      utm_source: 'flyer',
      utm_campaign: 'waiting-room',
    });
    await page.close();
  });

  it('as a partner: asked about the practice they refer, labels updated in place from provider, then sent', async () => {
    const page = await ctx.browser.newPage();
    await page.goto(`${ctx.server.url}/get-started`);
    await page.getByLabel('Provider or practice').check();
    expect(
      await page.getByText('Number of providers in your practice', { exact: true }).isVisible(),
    ).toBe(true);
    await page.getByLabel('Partner (referring practices to us)').check();
    // The same fields, reworded in place: nothing asks for "your practice" size any more.
    expect(await page.getByText('Number of providers in your practice').count()).toBe(0);
    expect(
      await page.getByLabel('Providers at the practice you refer (optional)').isVisible(),
    ).toBe(true);
    expect(await page.getByLabel('Your company or organization').isVisible()).toBe(true);
    expect(await page.locator('#address').isVisible()).toBe(false);
    expect(await page.locator('#zip').isVisible()).toBe(false);
    expect(await page.locator('#patient-help').isVisible()).toBe(false);
    expect(await page.locator('#practice-legend').textContent()).toBe(
      'Your organization and the practice you refer',
    );

    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForSelector('#error-summary');
    expect(await summaryItems(page)).toEqual(['name', 'email', 'organization', 'needs']);
    // Optional questions left empty are never refused.
    expect(await page.locator('#practiceSize-error').count()).toBe(0);
    expect(await page.locator('#state-error').count()).toBe(0);

    await page.getByLabel('Your name').fill('Jordan Blake');
    await page.getByLabel('Email address').fill('jordan@blake-consulting.example');
    await page.getByLabel('Your company or organization').fill('Blake Practice Consulting');
    await page.getByLabel('State of the practice you refer (optional)').selectOption('OK');
    await page
      .getByLabel('Tell us about the practice you refer and what it needs')
      .fill('A two-doctor clinic in Tulsa whose claims are often denied.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL('**/get-started/thanks');
    const id = await ctx.server.leadIdByEmail('jordan@blake-consulting.example');
    const lead = await ctx.server.db
      .selectFrom('leads')
      .select(['user_type', 'organization', 'state', 'zip'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(lead).toEqual({
      user_type: 'partner',
      organization: 'Blake Practice Consulting',
      state: 'OK',
      zip: '',
    });
    await page.close();
  });
});
