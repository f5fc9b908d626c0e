// Full-page screenshots of the site at desktop and phone widths, for review and for docs.
//   npx tsx scripts/screenshots.ts            all pages below
//   npx tsx scripts/screenshots.ts home       only pages whose name contains "home"
// The app runs on a free port over a fresh temporary SQLite database; nothing else is touched.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { seedAnalytics, type FixtureVisit } from '../src/analytics/dashboard/fixture.js';
import { arrivingRequest } from '../src/privacy-center/repository.js';
import { createStaffAdmin } from '../src/accounts/users-service.js';
import { addRecipient } from '../src/disclosures/testing.js';
import { totpCode } from '../src/accounts/totp.js';
import { hiddenField, TestClock, type TestApp } from '../src/test-support/app.js';
import { enrolWithSecret } from '../src/test-support/staff.js';
import { serve } from '../test/e2e/support.js';

interface Shot {
  /** File name stem: docs/screenshots/<name>-desktop.png and -phone.png. */
  name: string;
  path: string;
  /** Expected HTTP status of the page itself; 200 unless given. */
  status?: number;
  /** Only what the window shows (a modal dialog), not the whole page. */
  viewportOnly?: boolean;
  /** Optional: get the app or the page into the state to capture (sign in, fill a form...). */
  prepare?: (ctx: { app: TestApp; page: Page; baseUrl: string }) => Promise<void>;
}

// Add a page here to capture it. `prepare` runs after the page has loaded.
const shots: Shot[] = [
  // The cookie notice first, while this browser has made no choice (src/cookies).
  { name: 'cookie-banner', path: '/' },
  // What a first visit shows before any scrolling: the notice must leave the page in view.
  { name: 'home-notice', path: '/', viewportOnly: true },
  {
    name: 'cookie-choose',
    path: '/',
    viewportOnly: true,
    prepare: async ({ page }) => {
      await page.getByRole('link', { name: 'Choose' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  { name: 'cookies', path: '/cookies' },
  { name: 'home', path: '/' },
  { name: 'services', path: '/services' },
  { name: 'about', path: '/about' },
  { name: 'partners', path: '/partners' },
  { name: 'privacy', path: '/privacy' },
  { name: 'not-found', path: '/no-such-page', status: 404 },
  { name: 'get-started', path: '/get-started' },
  // The questions each type of user is asked (src/intake/fields.ts `askedOf`).
  { name: 'get-started-patient', path: '/get-started?type=patient' },
  { name: 'get-started-provider', path: '/get-started?type=provider' },
  { name: 'get-started-partner', path: '/get-started?type=partner' },
  {
    name: 'get-started-errors',
    path: '/get-started?type=provider',
    prepare: async ({ page }) => {
      // Every missing answer at once, in the order of the page.
      await page.getByLabel('Email address').fill('not-an-email');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForLoadState('networkidle');
    },
  },
  {
    name: 'get-started-partner-errors',
    path: '/get-started?type=partner',
    prepare: async ({ page }) => {
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForLoadState('networkidle');
    },
  },
  { name: 'get-started-thanks', path: '/get-started/thanks' },
  { name: 'privacy-center', path: '/privacy-center' },
  {
    name: 'privacy-center-errors',
    path: '/privacy-center',
    prepare: async ({ page }) => {
      await page
        .locator('#request form, form[action="/privacy-center/request"]')
        .first()
        .evaluate((f) => f.setAttribute('novalidate', ''));
      await page.getByLabel('Your email address').fill('not-an-email');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.waitForLoadState('networkidle');
    },
  },
  { name: 'console-login', path: '/console/login' },
  {
    name: 'console-home',
    path: '/console/login',
    prepare: async ({ app, page }) => {
      await page.getByLabel('Email').fill(staff.email);
      await page.getByLabel('Password').fill(staff.password);
      await page.getByRole('button', { name: /sign in|log in/i }).click();
      await enterCodeIfAsked(app, page);
      await page.waitForURL('**/console');
    },
  },
  {
    // On a phone the console's screens are behind a menu button; on a wide screen always open.
    name: 'console-menu',
    path: '/console',
    viewportOnly: true,
    prepare: async ({ page }) => {
      const menu = page.getByText('Menu', { exact: true });
      if (await menu.isVisible()) await menu.click();
    },
  },
  {
    name: 'console-leads',
    path: '/console/leads',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/leads`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-operations',
    path: '/console/operations',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/operations`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-lead-detail',
    path: '/console/leads',
    prepare: async ({ page }) => {
      await page.locator('th[scope="row"] a').first().click();
      await page.waitForLoadState('networkidle');
    },
  },
  // The console's cookie screens, signed in by the shots above (the context keeps the session).
  {
    name: 'console-cookie-consent',
    path: '/console/consent',
    prepare: async ({ app, page, baseUrl }) => {
      await cookieScreenData(app);
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/consent`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-cookie-tags',
    path: '/console/settings/tags',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/settings/tags`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-account',
    path: '/console/account',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/account`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-account-sessions',
    path: '/console/account/sessions',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/account/sessions`, { waitUntil: 'networkidle' });
    },
  },
  {
    // Signs in on its own, so `npx tsx scripts/screenshots.ts analytics` works alone.
    name: 'console-analytics',
    path: '/console/login?next=%2Fconsole%2Fanalytics%3Frange%3D7d',
    prepare: async ({ app, page }) => {
      if (!page.url().includes('/console/login')) return;
      await page.getByLabel('Email').fill(staff.email);
      await page.getByLabel('Password').fill(staff.password);
      await page.getByRole('button', { name: /sign in|log in/i }).click();
      await enterCodeIfAsked(app, page);
      await page.waitForURL('**/console/analytics**');
      await page.waitForLoadState('networkidle');
    },
  },
  {
    // Filtered by clicking, as a person would: a page in Top pages, then a device.
    name: 'console-analytics-filtered',
    path: '/console/login?next=%2Fconsole%2Fanalytics%3Frange%3D7d',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/analytics?range=7d`, { waitUntil: 'networkidle' });
      const panel = (name: string) => page.getByRole('region', { name, exact: true });
      await panel('Top pages')
        .getByRole('link', { name: /^\/services/ })
        .click();
      await page.waitForLoadState('networkidle');
      await panel('Devices')
        .getByRole('link', { name: /^mobile/ })
        .click();
      await page.waitForLoadState('networkidle');
    },
  },
  // The privacy screens, signed in as the administrator above (the context keeps the session).
  ...[
    'privacy',
    'privacy/new',
    'disclosures',
    'retention',
    'audit',
    'incidents',
    'settings/processors',
    'leads/export',
  ].map((screen) => ({ name: `console-${screen.replace('/', '-')}`, path: `/console/${screen}` })),
  {
    // A privacy officer's evidence page after recording a legal process naming two people.
    name: 'console-disclosure-evidence',
    path: '/console/disclosures/evidence',
    prepare: async ({ app, page, baseUrl }) => {
      await signInIfAsked(page, app);
      if (!(await app.db.selectFrom('disclosure_authorities').select('id').executeTakeFirst())) {
        await addRecipient(app, {
          kind: 'third_party',
          name: 'Dallas County District Court',
          contractRef: null,
        });
        await page.goto(`${baseUrl}/console/disclosures/evidence/new?kind=legal_process`);
        await page.getByLabel('Recipient').selectOption({ label: 'Dallas County District Court' });
        await page.getByLabel('Issued by').fill('Dallas County District Court');
        await page.getByLabel('Reference').fill('DC-2026-CV-0142 (subpoena duces tecum)');
        await page.getByLabel('Date').fill('2026-11-20');
        const first = (i: number) => sampleLeads[i]!.name.split(' ')[0]!.toLowerCase();
        await page
          .getByLabel('People it names')
          .fill(`${first(0)}@example.com\n${first(1)}@example.com`);
        await page.getByRole('button', { name: 'Save the record' }).click();
      } else await page.goto(`${baseUrl}/console/disclosures/evidence`);
      await page.waitForLoadState('networkidle');
    },
  },
  // Staff management (src/accounts/users-*): the list with colleagues in each state, one
  // person's page, and the step that asks before disabling.
  {
    name: 'console-users',
    path: '/console/users',
    prepare: async ({ app, page, baseUrl }) => {
      await seedStaff(app);
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/users`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-users-detail',
    path: '/console/users',
    prepare: async ({ app, page, baseUrl }) => {
      const id = (await seedStaff(app)).sales;
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/users/${id}`, { waitUntil: 'networkidle' });
    },
  },
  {
    name: 'console-users-disable',
    path: '/console/users',
    prepare: async ({ app, page, baseUrl }) => {
      const id = (await seedStaff(app)).sales;
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/users/${id}/disable`, { waitUntil: 'networkidle' });
    },
  },
  { name: 'console-forgot-password', path: '/console/forgot-password' },
  {
    // A deletion 37 days old: the deadline notice on top, and what the deletion will do.
    name: 'console-privacy-deletion',
    path: '/console/privacy',
    prepare: async ({ app, page, baseUrl }) => {
      const id = await agedDeletionRequest(app);
      await signInIfAsked(page, app);
      await page.goto(`${baseUrl}/console/privacy/${id}`, { waitUntil: 'networkidle' });
    },
  },
];

let staffIds: { sales: string } | undefined;
/** Colleagues for the staff screens: active, invited and disabled (made once). */
async function seedStaff(app: TestApp): Promise<{ sales: string }> {
  if (staffIds) return staffIds;
  const users = createStaffAdmin({ db: app.db, clock: app.clock, secret: 'screenshots' });
  const by = { kind: 'system', name: 'screenshots' } as const;
  const sales = await users.invite(by, {
    name: 'Marcus Okafor',
    email: 'marcus.okafor@starspmb.test',
    role: 'sales',
  });
  await users.invite(by, {
    name: 'Lena Brandt',
    email: 'lena.brandt@starspmb.test',
    role: 'privacy',
  });
  const gone = await users.invite(by, {
    name: 'Chris Valdez',
    email: 'chris.valdez@starspmb.test',
    role: 'marketing',
  });
  // Accepted as if by their link: active, with a password of their own.
  await app.db
    .updateTable('staff_users')
    .set({ invited_at: null, last_login_at: app.clock.now().toISOString() })
    .where('id', 'in', [sales.id, gone.id])
    .execute();
  await users.disable(by, gone.id);
  staffIds = { sales: sales.id };
  return staffIds;
}

let deletionId: string | undefined;
/** A verified deletion request for the first sample lead, due in 8 days (made once). */
async function agedDeletionRequest(app: TestApp): Promise<string> {
  if (deletionId) return deletionId;
  const now = app.clock.now().getTime();
  const email = `${sampleLeads[0]!.name.split(' ')[0]!.toLowerCase()}@example.com`;
  const leadId = await app.leadIdByEmail(email);
  const id = randomUUID();
  const at = (days: number) => new Date(now + days * 86_400_000).toISOString();
  await app.db
    .insertInto('privacy_requests')
    .values(
      app.kernel.seal(
        'privacy_requests',
        arrivingRequest({
          id,
          created_at: at(-37),
          kind: 'deletion',
          channel: 'web',
          status: 'verified',
          email,
          email_index: app.kernel.index('email', email),
          lead_ids: JSON.stringify([leadId]),
          correction_field: null,
          correction_value: null,
          receipt_due_at: at(-23),
          due_at: at(8),
        }),
      ),
    )
    .execute();
  await app.db
    .updateTable('privacy_requests')
    .set({ verified_at: at(-37), receipt_sent_at: at(-37) })
    .where('id', '=', id)
    .execute();
  deletionId = id;
  return id;
}

const staff = { email: 'admin@starspmb.test', password: 'correct horse battery staple' };

async function signInIfAsked(page: Page, app: TestApp) {
  if (!page.url().includes('/console/login')) return;
  await page.getByLabel('Email').fill(staff.email);
  await page.getByLabel('Password').fill(staff.password);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await enterCodeIfAsked(app, page);
  await page.waitForLoadState('networkidle');
}

// The administrator's authenticator: the key set up in `seed`, codes from the app's clock.
let staffSecret = '';
async function enterCodeIfAsked(app: TestApp, page: Page) {
  await page.waitForLoadState('networkidle');
  if (!page.url().includes('/console/login/code')) return;
  // A code works once: the next sign-in waits for the next 30-second step.
  if (app.clock instanceof TestClock) app.clock.advance(30_000);
  await page.getByLabel('Code').fill(totpCode(staffSecret, app.clock.now()));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState('networkidle');
}

let cookieDataDone = false;
/** A few days of cookie choices and one registered tag, for the console's cookie screens. */
async function cookieScreenData(app: TestApp) {
  if (cookieDataDone) return;
  cookieDataDone = true;
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  const rows = Array.from({ length: 60 }, (_, i) => {
    const at = day(i % 6);
    return {
      consent_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      at,
      day: at.slice(0, 10),
      subject_kind: 'browser' as const,
      subject_id: null,
      analytics: i % 3 === 0 ? 0 : 1,
      advertising: i % 2 === 0 ? 1 : 0,
      source: 'banner' as const,
      gpc: i % 7 === 0 ? 1 : 0,
      policy_version: '1.2',
      banner_version: '2026-11-29',
      ua_class: 'Chrome desktop',
    };
  });
  await app.db.insertInto('cookie_consents').values(rows).execute();
  const now = new Date().toISOString();
  const vendorId = '5f0c8c8e-8a1d-4a3c-9a57-000000000002';
  await app.db
    .insertInto('recipients')
    .values({
      id: vendorId,
      kind: 'processor',
      key: 'example-ads',
      name: 'Example Ads Inc.',
      categories: '["online.identifier","online.activity"]',
      purpose: 'measures our advertising',
      contract_ref: 'DPA-2026-11',
      related_entity: 0,
      active: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await app.db
    .insertInto('tags')
    .values({
      id: '5f0c8c8e-8a1d-4a3c-9a57-000000000001',
      name: 'Conversion pixel',
      category: 'advertising',
      vendor: 'Example Ads Inc.',
      origin: 'https://ads.example.com',
      script_url: 'https://ads.example.com/pixel.js',
      inline_snippet: null,
      data_received:
        'a random identifier of your browser (with your consent) or a coded fingerprint of it that changes every day; the pages you view and what you click on our website',
      recipient_id: vendorId,
      categories: '["online.identifier","online.activity"]',
      active: 1,
      created_at: now,
      updated_at: now,
      updated_by: 'seed',
    })
    .execute();
}

const sampleLeads = [
  {
    userType: 'provider',
    name: 'Dana Whitfield',
    organization: 'Lakeside Family Medicine',
    practiceSize: '6-20',
    city: 'Dallas',
    needs: 'Our denial rate went up after we changed clearinghouse.',
    consentMarketing: 'on',
  },
  {
    userType: 'partner',
    name: 'Priya Natarajan',
    organization: 'Northgate EHR Consulting',
    practiceSize: '21-50',
    city: 'Austin',
    phone: '512-555-0190',
    needs: 'We refer practices that need billing help and want a partner.',
    consentSms: 'on',
  },
  {
    userType: 'patient',
    name: 'Sam Rivera',
    organization: '',
    practiceSize: '',
    city: 'Houston',
    needs: 'I have a question about a statement I received.',
  },
];

/** Leads for the console pages, sent through the real form handler. */
async function seed(app: TestApp) {
  await app.app.accounts.createStaffUser({ ...staff, role: 'admin' });
  const first = await app.app.accounts.login(staff.email, staff.password);
  staffSecret = (await enrolWithSecret(app, first.token)).secret;
  for (const [i, lead] of sampleLeads.entries()) {
    const form = await app.app.inject({
      method: 'GET',
      url: '/get-started?utm_source=newsletter&utm_medium=email',
    });
    const res = await app.app.inject({
      method: 'POST',
      url: '/get-started',
      payload: {
        ...lead,
        address: `${100 + i} Main Street`,
        state: 'TX',
        zip: '75201',
        email: `${lead.name.split(' ')[0]!.toLowerCase()}@example.com`,
        formToken: hiddenField(form.body, 'formToken'),
        utm_source: hiddenField(form.body, 'utm_source'),
        utm_medium: hiddenField(form.body, 'utm_medium'),
      },
    });
    if (res.statusCode !== 201)
      throw new Error(`seeding a lead answered ${res.statusCode}: ${res.body}`);
  }
  await seedAnalytics(app.db, sampleVisits(app.clock.now().getTime()));
}

/** A week of made-up visits for the analytics dashboard, ending now. */
function sampleVisits(now: number): FixtureVisit[] {
  const places = [
    { country: 'US', region: 'Texas, US', city: 'Dallas, Texas, US' },
    { country: 'US', region: 'Texas, US', city: 'Austin, Texas, US' },
    { country: 'US', region: 'Oklahoma, US', city: 'Tulsa, Oklahoma, US' },
  ];
  const browsers = [
    { browser: 'Chrome', browserVersion: 'Chrome 120', os: 'Windows 10', device: 1 },
    { browser: 'Safari', browserVersion: 'Safari 17', os: 'iOS 17', device: 2 },
    { browser: 'Firefox', browserVersion: 'Firefox 121', os: 'Linux', device: 1 },
  ];
  const pages = [
    ['/'],
    ['/', '/services'],
    ['/services', '/get-started'],
    ['/about'],
    ['/', '/get-started', '/get-started/thanks'],
  ];
  return Array.from({ length: 60 }, (_, i) => ({
    visitor: `v${i % 23}`,
    start: now - ((i * 2.7) % 7) * 86_400_000 - 60_000 * (i % 5),
    pages: pages[i % pages.length]!,
    ...places[i % 3]!,
    ...browsers[i % 3]!,
    channel: i % 4,
    funnel: i % 5 === 4 ? 3 : i % 5 === 2 ? 2 : 1,
    client: i % 7 === 0 ? 1 : 0,
    events:
      i % 6 === 0 ? [{ name: 'call_click', props: { where: i % 12 ? 'header' : 'footer' } }] : [],
  }));
}

const viewports = [
  { label: 'desktop', width: 1280, height: 800 },
  { label: 'phone', width: 390, height: 844 },
] as const;

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');

async function main() {
  const only = process.argv[2];
  const selected = only ? shots.filter((s) => s.name.includes(only)) : shots;
  fs.mkdirSync(outDir, { recursive: true });

  // Served at its own BASE_URL: the collector and the same-origin rule compare with it.
  const app = await serve();
  await seed(app);
  const baseUrl = app.url;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  try {
    for (const vp of viewports) {
      const context = await browser.newContext({
        viewport: { width: vp.width, height: vp.height },
        deviceScaleFactor: 1,
        isMobile: vp.label === 'phone',
        hasTouch: vp.label === 'phone',
      });
      const page = await context.newPage();
      // A refused inline style (CSP) or a missing stylesheet or image is worth shouting about.
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
          console.warn(`  [${vp.label}] console error: ${msg.text()}`);
        }
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && res.request().resourceType() !== 'document') {
          console.warn(`  [${vp.label}] ${res.status()} for ${res.url()}`);
        }
      });
      for (const shot of selected) {
        const res = await page.goto(baseUrl + shot.path, { waitUntil: 'networkidle' });
        const status = res?.status() ?? 0;
        if (status !== (shot.status ?? 200)) console.warn(`  ${shot.path} answered ${status}`);
        if (shot.prepare) await shot.prepare({ app, page, baseUrl });
        const file = path.join(outDir, `${shot.name}-${vp.label}.png`);
        await page.screenshot({ path: file, fullPage: !shot.viewportOnly });
        console.log(`saved ${path.relative(process.cwd(), file)}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
