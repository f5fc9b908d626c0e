import { policyVersions } from '../privacy/policy-versions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { postForm, staffJar, type Jar } from '../test-support/staff.js';
import { isSensitivePath } from '../privacy/sensitive-paths.js';

/** The policy version as the choice cookie carries it. */
const V = policyVersions.at(-1)!.version.replace('.', '_');

// Third-party tags: registered by admins, served only after consent to their category, never
// under GPC or on sensitive pages, and named in the CSP only where they load.

let t: TestApp;
let admin: Jar;
const adOrigin = 'https://ads.vendor.example';
const statsOrigin = 'https://stats.vendor.example';
const snippet = 'window.statsLoaded = true;';

beforeAll(async () => {
  t = await createTestApp();
  admin = await staffJar(t, 'admin');
  // Tag vendors are service providers registered with a contract and what they receive.
  await addRecipient(t, {
    key: 'advendor',
    name: 'AdVendor Inc.',
    categories: ['online.activity', 'online.identifier'],
    purpose: 'measures our advertising',
  });
  await addRecipient(t, {
    key: 'statsco',
    name: 'StatsCo',
    categories: ['online.activity'],
    purpose: 'counts visits',
  });
  const ad = await postForm(t, admin, '/console/settings/tags', {
    name: 'Ad pixel',
    category: 'advertising',
    provider: 'advendor',
    categories: ['online.activity', 'online.identifier'],
    scriptUrl: `${adOrigin}/pixel.js`,
  });
  expect(ad.statusCode).toBe(303);
  const stats = await postForm(t, admin, '/console/settings/tags', {
    name: 'Stats',
    category: 'analytics',
    provider: 'statsco',
    categories: 'online.activity',
    inlineSnippet: snippet,
    origin: statsOrigin,
  });
  expect(stats.statusCode).toBe(303);
});
afterAll(async () => t.close());

const visit = (url: string, choices?: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    url,
    headers: { ...(choices ? { cookie: `spmb_choices=${choices}` } : {}), ...headers },
  });
const csp = (res: { headers: Record<string, unknown> }) =>
  String(res.headers['content-security-policy']);

describe('registering tags', () => {
  it('records each registration in the audit log and lists the vendor in the policy', async () => {
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'target_type'])
      .where('action', '=', 'tag_change')
      .execute();
    expect(audit).toHaveLength(2);
    const policy = await visit('/privacy');
    expect(policy.body).toContain(
      'AdVendor Inc. (advertising): receives a random identifier of your browser (with your consent) or a coded fingerprint of it that changes every day; the pages you view and what you click on our website',
    );
    expect(policy.body).toContain('These companies are our service providers, bound by a contract');
    expect(policy.body).toContain('StatsCo (analytics)');
  });

  it('refuses a tag without a CSRF token, from a non-admin, or with bad fields, storing nothing', async () => {
    const count = async () => (await t.db.selectFrom('tags').select('id').execute()).length;
    const n = await count();
    const fields = {
      name: 'X',
      category: 'advertising',
      provider: 'advendor',
      categories: 'online.activity',
      scriptUrl: 'https://x.example/t.js',
    };
    expect(
      (await postForm(t, admin, '/console/settings/tags', fields, { csrf: false })).statusCode,
    ).toBe(403);
    const marketing = await staffJar(t, 'marketing');
    expect((await postForm(t, marketing, '/console/settings/tags', fields)).statusCode).toBe(403);
    const both = await postForm(t, admin, '/console/settings/tags', {
      ...fields,
      inlineSnippet: 'x()',
    });
    expect(both.statusCode).toBe(400);
    expect(both.body).toContain('Give either a script URL or an inline snippet, not both.');
    const plain = await postForm(t, admin, '/console/settings/tags', {
      ...fields,
      scriptUrl: 'http://x.example/t.js',
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.body).toContain('Tags must load over https.');
    const breakout = await postForm(t, admin, '/console/settings/tags', {
      ...fields,
      scriptUrl: '',
      inlineSnippet: '</script><script>x()',
      origin: 'https://x.example',
    });
    expect(breakout.statusCode).toBe(400);
    const category = await postForm(t, admin, '/console/settings/tags', {
      ...fields,
      category: 'tracking',
    });
    expect(category.statusCode).toBe(400);
    expect(category.body).toContain('Choose analytics or advertising.');
    expect(await count()).toBe(n);
  });
});

describe('serving tags', () => {
  it('serves none, and names no vendor in the CSP, before a choice or after a refusal', async () => {
    for (const choices of [undefined, `a:d.d:d.v:${V}`]) {
      const res = await visit('/', choices);
      expect(res.body).not.toContain('data-tag=');
      expect(csp(res)).not.toContain('vendor.example');
    }
  });

  it('serves the analytics tag after analytics consent, with its hash and origin in the CSP, and not the ad tag', async () => {
    const res = await visit('/services', `a:g.d:d.v:${V}`);
    expect(res.body).toContain(snippet);
    expect(res.body).not.toContain(`${adOrigin}/pixel.js`);
    expect(csp(res)).toContain(statsOrigin);
    expect(csp(res)).toMatch(
      /script-src 'self' https:\/\/stats\.vendor\.example 'sha256-[A-Za-z0-9+/=]+'/,
    );
    expect(csp(res)).not.toContain(adOrigin);
  });

  it('serves the ad tag after advertising consent, but never under GPC', async () => {
    const ok = await visit('/', `a:d.d:g.v:${V}`);
    expect(ok.body).toContain(`<script src="${adOrigin}/pixel.js" async`);
    expect(csp(ok)).toContain(adOrigin);
    const gpc = await visit('/', `a:d.d:g.v:${V}`, { 'sec-gpc': '1' });
    expect(gpc.body).not.toContain(adOrigin);
    expect(csp(gpc)).not.toContain(adOrigin);
    expect(gpc.body).toContain('Opt-out preference signal honored');
  });

  it('serves nothing on pages where people type personal data or are signed in, whatever the consent', async () => {
    for (const url of ['/get-started', '/privacy-center', '/console/login']) {
      const res = await visit(url, `a:g.d:g.v:${V}`);
      expect(res.body, url).not.toContain('data-tag=');
      expect(csp(res), url).not.toContain('vendor.example');
    }
    for (const p of [
      '/get-started',
      '/partners/apply',
      '/privacy-center/sent',
      '/portal/x',
      '/partner/leads',
      '/console/leads',
    ])
      expect(isSensitivePath(p), p).toBe(true);
    for (const p of ['/', '/partners', '/services', '/cookies', '/privacy'])
      expect(isSensitivePath(p), p).toBe(false);
  });

  it('stops serving a deactivated tag, and its origin leaves the CSP', async () => {
    const [ad] = await t.db
      .selectFrom('tags')
      .select('id')
      .where('name', '=', 'Ad pixel')
      .execute();
    const off = await postForm(t, admin, `/console/settings/tags/${ad!.id}/deactivate`);
    expect(off.statusCode).toBe(303);
    const res = await visit('/', `a:g.d:g.v:${V}`);
    expect(res.body).not.toContain(adOrigin);
    expect(csp(res)).not.toContain(adOrigin);
    // The policy still names the vendor: it may have received data while the tag was active.
    expect((await visit('/privacy')).body).toContain('AdVendor Inc.');
    const list = await t.app.inject({
      url: '/console/settings/tags',
      headers: { cookie: cookieHeader(admin) },
    });
    expect(list.body).toContain('Activate Ad pixel');
    await postForm(t, admin, `/console/settings/tags/${ad!.id}/activate`);
  });
});
