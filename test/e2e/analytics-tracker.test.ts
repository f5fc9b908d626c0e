import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '../../src/analytics/codes.js';
import { countRows } from '../../src/retention/types.js';
import { hasChromium, launch, serve } from './support.js';

// First-party analytics end to end (issue 4): the tracker in a real Chromium sends page views,
// a history navigation, custom events and a form start; the console dashboard shows them; field
// values and non-campaign query strings never get through; GPC counts without a cookie.

type Server = Awaited<ReturnType<typeof serve>>;
interface Beacon {
  type: string;
  body: string;
  /** The HTTP status, or why the browser gave up on the request. */
  status?: number | string;
}

// expect.poll gives up after 1 s by default; a beacon after a navigation on a loaded CI machine
// can take longer. Still a wait on a condition, not a sleep.
const WAIT = { timeout: 15_000 };
const STAFF = { email: 'marketing@starspmb.test', password: 'correct horse battery staple' };
// Typed into the form: none of it may ever reach /api/event.
const SECRET = { name: 'Quintessa Marlowe', email: 'quintessa.marlowe@mail.example' };

describe.skipIf(!hasChromium)('first-party analytics from tracker to dashboard in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let version: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await serve();
    browser = await launch();
    version = browser.version();
    await server.app.accounts.createStaffUser({ ...STAFF, role: 'marketing' });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await server?.close();
  });

  // The collector drops headless browsers (HeadlessChrome in the user agent) as automation, so
  // each visitor presents itself as the desktop Chrome it is; `os` keeps their hashes apart.
  async function visitor(
    os: string,
    opts: Parameters<Browser['newContext']>[0] = {},
  ): Promise<{ context: BrowserContext; page: Page; beacons: Beacon[] }> {
    const userAgent = `Mozilla/5.0 (${os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`;
    const context = await browser.newContext({ ...opts, userAgent });
    contexts.push(context);
    const page = await context.newPage();
    const beacons: Beacon[] = [];
    const seen = new Map<unknown, Beacon>();
    page.on('request', (r) => {
      if (!r.url().endsWith('/api/event')) return;
      const body = r.postData() ?? '';
      const b: Beacon = { type: String((JSON.parse(body) as { type?: string }).type), body };
      seen.set(r, b);
      beacons.push(b);
    });
    page.on('response', (r) => {
      const b = seen.get(r.request());
      if (b) b.status = r.status();
    });
    page.on('requestfailed', (r) => {
      const b = seen.get(r);
      if (b) b.status = r.failure()?.errorText ?? 'failed';
    });
    return { context, page, beacons };
  }

  /** Waits until `n` beacons of this type have settled, and checks they are exactly `n` 202s. */
  async function acked(beacons: Beacon[], type: string, n: number): Promise<void> {
    await expect
      .poll(() => beacons.filter((b) => b.type === type && b.status !== undefined).length, WAIT)
      .toBeGreaterThanOrEqual(n);
    expect(beacons.filter((b) => b.type === type).map((b) => b.status)).toEqual(Array(n).fill(202));
  }

  let staff: Page;
  async function dashboard(): Promise<Page> {
    if (!staff) {
      const context = await browser.newContext();
      contexts.push(context);
      staff = await context.newPage();
      await staff.goto(`${server.url}/console/analytics?range=today`);
      await staff.waitForURL('**/console/login**');
      await staff.getByLabel('Email').fill(STAFF.email);
      await staff.getByLabel('Password').fill(STAFF.password);
      await staff.getByRole('button', { name: /sign in|log in/i }).click();
      await staff.waitForURL('**/console/analytics?range=today');
    } else {
      await staff.reload();
    }
    await staff.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();
    return staff;
  }
  /** A summary card's number, e.g. "Page views" → 7. */
  async function metric(page: Page, label: string): Promise<string> {
    const card = page.getByRole('region', { name: 'Summary' }).locator('div', {
      has: page.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }),
    });
    return (await card.getByRole('definition').first().innerText()).trim();
  }
  /** A panel's rows as label → number, read from its table. */
  async function panel(page: Page, title: string): Promise<Record<string, number>> {
    const region: Locator = page.getByRole('region', { name: title, exact: true });
    const out: Record<string, number> = {};
    for (const row of await region.getByRole('row').all()) {
      const head = row.getByRole('rowheader');
      if ((await head.count()) === 0) continue;
      const label = (await head.innerText()).replace('(filter by this)', '').trim();
      out[label] = Number((await row.getByRole('cell').first().innerText()).replace(/,/g, ''));
    }
    return out;
  }

  let a: Awaited<ReturnType<typeof visitor>>;

  it('sends page views, a history navigation, custom events, a form start and submit, all acknowledged', async () => {
    a = await visitor('X11; Linux x86_64');
    const { page, beacons } = a;
    await page.goto(`${server.url}/?utm_source=newsletter&email=x@example.com`);
    await acked(beacons, 'pageview', 1);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Services' })
      .click();
    await page.waitForURL('**/services');
    await acked(beacons, 'pageview', 2);
    // Client-side navigation: a pushed state, then Back (popstate), each one page view.
    await page.evaluate(() => history.pushState({}, '', '/services/coding'));
    await acked(beacons, 'pageview', 3);
    await page.evaluate(() => history.back());
    await acked(beacons, 'pageview', 4);
    await page.goto(`${server.url}/about`);
    await acked(beacons, 'pageview', 5);
    // No public page carries a data-event element yet: add one, as a page author would.
    await page.evaluate(() => {
      const b = document.createElement('button');
      b.dataset.event = 'about_cta';
      b.textContent = 'Talk to us';
      document.querySelector('main')?.append(b);
    });
    await page.getByRole('button', { name: 'Talk to us' }).click();
    await acked(beacons, 'event', 1);
    await page.evaluate(() =>
      (window as unknown as { starspmb: { track(n: string, p: object): void } }).starspmb.track(
        'plan_chosen',
        { plan: 'pro' },
      ),
    );
    await acked(beacons, 'event', 2);
    await page.goto(`${server.url}/get-started`);
    await acked(beacons, 'pageview', 6);
    await page.getByLabel('Provider or practice').check();
    await acked(beacons, 'form_start', 1);
    await page.getByLabel('Your name').fill(SECRET.name);
    await page.getByLabel('Email address').fill(SECRET.email);
    await page.getByLabel('Telephone').fill('(469) 555-0142');
    await page.getByLabel(/send me text messages/).check();
    await page.getByLabel('Practice name').fill('Marlowe Family Practice');
    await page.getByLabel('Number of providers in your practice').selectOption('2-5');
    await page.getByLabel('Street address of the practice').fill('12 Elm Street');
    await page.getByLabel('City').fill('Plano');
    await page.getByLabel('State').selectOption('TX');
    await page.getByLabel('ZIP code').fill('75024');
    await page.getByLabel('What do you need help with?').fill('Billing for a new clinic.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL('**/get-started/thanks');
    // The submit beacon races the navigation the submit starts, and the browser may stop
    // watching for its answer (the request itself is keepalive and goes on): it must be stored.
    expect(beacons.filter((b) => b.type === 'form_submit')).toHaveLength(1);
    await expect
      .poll(
        () =>
          countRows(
            server.db.selectFrom('analytics_events').where('type', '=', eventTypes.form_submit),
          ),
        WAIT,
      )
      .toBe(1);
    await acked(beacons, 'pageview', 7);
    expect(beacons.map((b) => b.type).sort()).toEqual(
      [...Array(7).fill('pageview'), 'event', 'event', 'form_start', 'form_submit'].sort(),
    );
    const custom = beacons
      .filter((b) => b.type === 'event')
      .map((b) => JSON.parse(b.body) as object);
    expect(custom).toMatchObject([
      { name: 'about_cta' },
      { name: 'plan_chosen', props: { plan: 'pro' } },
    ]);
  });

  it('never sends a form field value, and stores no query string but campaign tags', async () => {
    for (const b of a.beacons) {
      for (const v of [...Object.values(SECRET), '555-0142', 'Marlowe', 'Elm Street'])
        expect(b.body).not.toContain(v);
    }
    const dict = await server.db.selectFrom('analytics_dict').select(['kind', 'value']).execute();
    const values = dict.map((d) => d.value);
    expect(values).toContain('newsletter');
    expect(values).toContain('/');
    expect(values.filter((v) => /example\.com|email=|\?/.test(v))).toEqual([]);
  });

  it('shows those views, pages, events, campaign and funnel on the console dashboard', async () => {
    const page = await dashboard();
    expect(await metric(page, 'Page views')).toBe('7');
    expect(await metric(page, 'Visits')).toBe('1');
    expect(await metric(page, 'Visitors')).toBe('1');
    expect(await panel(page, 'Top pages')).toEqual({
      '/': 1,
      '/services': 2,
      '/services/coding': 1,
      '/about': 1,
      '/get-started': 1,
      '/get-started/thanks': 1,
    });
    expect(await panel(page, 'Entry pages')).toEqual({ '/': 1 });
    expect((await panel(page, 'Exit pages'))['/get-started/thanks']).toBe(1);
    expect(await panel(page, 'Custom events')).toEqual({ about_cta: 1, plan_chosen: 1 });
    expect(await panel(page, 'UTM source')).toEqual({ newsletter: 1 });
    expect(await panel(page, 'Channels')).toEqual({ email: 1 });
    expect(await panel(page, 'Funnel')).toEqual({
      landing: 1,
      'form start': 1,
      'intake submitted': 1,
    });
    const props = page.getByRole('region', { name: 'Event properties' });
    expect(await props.getByRole('row', { name: /plan_chosen plan pro 1/ }).count()).toBe(1);
    expect(await page.locator('body').innerText()).not.toContain('example.com');
  });

  it('counts a Global Privacy Control visit without setting a visitor cookie', async () => {
    // Control: consenting to analytics without GPC gets the first-party visitor cookie.
    const c = await visitor('Windows NT 10.0; Win64; x64');
    await c.page.goto(`${server.url}/services`);
    await acked(c.beacons, 'pageview', 1);
    await c.page.getByRole('button', { name: 'Accept all' }).click();
    await acked(c.beacons, 'pageview', 2);
    await expect
      .poll(async () => (await c.context.cookies()).map((k) => k.name), WAIT)
      .toContain('spmb_vid');

    const g = await visitor('Macintosh; Intel Mac OS X 10_15_7', {
      extraHTTPHeaders: { 'Sec-GPC': '1' },
    });
    await g.context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
    );
    await g.page.goto(`${server.url}/services`);
    await acked(g.beacons, 'pageview', 1);
    await g.page.getByRole('button', { name: 'Accept all' }).click();
    await acked(g.beacons, 'pageview', 2);
    expect((await g.context.cookies()).map((k) => k.name)).not.toContain('spmb_vid');
    // Answering the cookie notice is not starting a form: page views only.
    for (const v of [c, g]) expect(v.beacons.map((b) => b.type)).toEqual(['pageview', 'pageview']);

    // Up from 7 by both visitors' two page views each; the GPC visits have no visitor id.
    const page = await dashboard();
    expect(await metric(page, 'Page views')).toBe('11');
    expect((await panel(page, 'New vs returning'))['no visitor id']).toBe(2);
    // Clicking a cookie button is not starting a form: the funnel still has one form start.
    expect((await panel(page, 'Funnel'))['form start']).toBe(1);
  });
});
