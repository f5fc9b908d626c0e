import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../accounts/service.js';
import { policyModel } from '../privacy/policy.js';
import { currentPolicy } from '../privacy/policy-versions.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { longDate } from './text.js';
import { elementTexts, shingles, visibleText } from './testing.js';

// Sentences of the company's policy text, the specification for /privacy. The page must say the
// same things in its own words: no run of 8 words may be lifted from these.
const specification = [
  'We do not share any information gathered through our intake forms with third parties.',
  'We encourage you to evaluate these practices independently.',
  'We are not responsible for how our customers treat the information we collect on their behalf.',
  'The SMS and phone numbers provided will be used solely for SMS communication and will not be shared with any third parties.',
  'We do not share information with our related entities, including our parent and sister companies, for any business or commercial purposes.',
  'To protect the rights, property, life, health, security, and safety of us, the Website, or anyone else.',
  'To an actual or potential buyer during a business transaction, ensuring that the buyer only uses your information as disclosed in this Policy.',
  'At your request or direction, such as when you choose to share information with a social network.',
  'To any other person with notice to you and your consent to the disclosure.',
  'We will not retain your information longer than necessary to fulfil the purposes for which it was collected or as required by applicable laws or regulations.',
  'Nevertheless, please note that internet transmission is not entirely secure, and we cannot guarantee the security of your information.',
  'These service providers are not permitted to share your information with others.',
].join(' ');

let t: TestApp;
let html: string;
let text: string;
beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject('/privacy');
  expect(res.statusCode).toBe(200);
  html = res.body;
  text = visibleText(html).toLowerCase();
});
afterAll(async () => t.close());

describe('/privacy, generated from the data map', () => {
  const model = policyModel();

  it('lists every category label from the data map', () => {
    expect(model.categories.length).toBeGreaterThan(0);
    for (const c of model.categories) expect(text, c.category).toContain(c.label.toLowerCase());
  });

  it('names the people each category concerns, every purpose and every retention period', () => {
    for (const s of new Set(model.categories.flatMap((c) => c.subjects))) expect(text).toContain(s);
    for (const p of model.purposes) expect(text).toContain(p.text.toLowerCase());
    for (const r of new Set(model.categories.flatMap((c) => c.retention)))
      expect(text).toContain(r.toLowerCase());
  });

  it('shows the current version and its effective date', () => {
    expect(text).toContain(
      `version ${currentPolicy.version}, effective ${longDate(currentPolicy.effective).toLowerCase()}`,
    );
    expect(html).toContain(`<time datetime="${currentPolicy.effective}">`);
  });

  it('says who we are from the site config', () => {
    const c = t.site.company;
    for (const fact of [
      c.legalName,
      c.address.street,
      c.address.city,
      c.phone,
      c.privacyEmail,
      c.domain,
    ]) {
      expect(visibleText(html)).toContain(fact);
    }
    expect(html).toContain(`href="mailto:${c.privacyEmail}"`);
  });

  it('says phone numbers are used only for SMS and never shared', () => {
    expect(text).toMatch(/your telephone number: used only to send you text messages/);
    expect(text).toContain('your telephone number is used only for text messages and never shared');
  });

  it('gives the closed list of disclosures, and no sharing of form data or with related companies', () => {
    const items = elementTexts(html.slice(html.indexOf('<ol class="bases">')), 'li').slice(
      0,
      model.disclosures.length,
    );
    expect(items.map((i) => i.toLowerCase())).toEqual(model.disclosures.map((d) => `${d.text}.`));
    expect(text).toContain('is given to any third party');
    expect(text).toContain('related companies');
  });

  it('says there are no service providers yet, and covers cookies, rights, BAAs and security', () => {
    expect(model.processors).toEqual([]);
    expect(text).toContain('no outside company processes personal information on our behalf');
    for (const c of model.cookies) expect(html).toContain(`<code>${c.name}</code>`);
    expect(html).toContain('href="/privacy-center"');
    expect(text).toContain('business associate agreement');
    expect(text).toContain('not the place for patient health information');
  });

  it('has one h1 and a table of contents that matches its sections', () => {
    expect(elementTexts(html, 'h1')).toEqual(['Privacy policy']);
    const links = [...html.matchAll(/<li><a href="#([a-z-]+)">/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(8);
    for (const id of links) expect(html).toContain(`<section id="${id}"`);
  });

  it('uses its own words: no run of 8 words copied from the policy text', () => {
    const page = shingles(visibleText(html), 8);
    const copied = [...shingles(specification, 8)].filter((s) => page.has(s));
    expect(copied).toEqual([]);
  });
});

describe('the cookie list is the truth', () => {
  const declared = new Set(policyModel().cookies.map((c) => c.name));
  const cookieNames = (setCookie: string | string[] | undefined) =>
    [setCookie ?? []].flat().map((c) => c.split('=')[0]!.trim());

  it('public pages and the intake form set no cookie at all, as the page says', async () => {
    for (const url of ['/', '/services', '/about', '/partners', '/privacy', '/get-started']) {
      const res = await t.app.inject(url);
      expect(res.headers['set-cookie'], url).toBeUndefined();
    }
  });

  it('the staff sign-in sets only cookies the policy declares', async () => {
    const res = await t.app.inject('/console/login');
    expect(res.statusCode).toBe(200);
    const names = cookieNames(res.headers['set-cookie']);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(declared, name).toContain(name);
    expect(declared).toContain(SESSION_COOKIE);
  });

  it('honouring Global Privacy Control and privacy choices sets only cookies the policy declares', async () => {
    const res = await t.app.inject({ url: '/privacy-center', headers: { 'sec-gpc': '1' } });
    expect(res.statusCode).toBe(200);
    const names = cookieNames(res.headers['set-cookie']);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(declared, name).toContain(name);
  });
});
