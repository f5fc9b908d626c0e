import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyVersions, type PolicyVersion } from '../privacy/policy-versions.js';
import { cookies, cookiesInUse } from '../privacy/policy.js';
import { cookieHeader, cookieJar, createTestApp, type TestApp } from '../test-support/app.js';
import { staffJar } from '../test-support/staff.js';
import { consentRates, uaClass } from './consent-records.js';
import { BANNER_VERSION, cookiePurposeEs } from './messages.js';

/** The policy version as the choice cookie carries it. */
const V = policyVersions.at(-1)!.version.replace('.', '_');

// Each cookie choice is a consent record; a material policy change asks again.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const chrome =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function choose(
  fields: Record<string, string>,
  jar: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/cookies',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': chrome,
      cookie: cookieHeader(jar),
      ...headers,
    },
    payload: form(fields),
  });
  return { res, jar: cookieJar(res, { ...jar }) };
}

const records = (consentId: string) =>
  t.db
    .selectFrom('cookie_consents')
    .selectAll()
    .where('consent_id', '=', consentId)
    .orderBy('id')
    .execute();

describe('the banner', () => {
  it('shows on a first visit, sets no cookie, and offers Accept all and Reject all side by side', async () => {
    const res = await t.app.inject('/');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('data-cookie-banner');
    expect(res.body).toMatch(
      /value="accept">Accept all<\/button><button class="button" type="submit" name="choice" value="reject">Reject all/,
    );
    for (const c of cookiesInUse().filter((c) => c.category !== 'advertising'))
      expect(res.body).toContain(`<code>${c.name}</code>`);
  });

  it('speaks Spanish by Accept-Language, and a visitor can switch', async () => {
    const es = await t.app.inject({
      url: '/',
      headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' },
    });
    expect(es.body).toContain('Aceptar todas');
    expect(es.body).toContain('Rechazar todas');
    const sw = await t.app.inject('/cookies/lang?to=es&back=/about');
    expect(sw.statusCode).toBe(303);
    expect(sw.headers.location).toBe('/about');
    const after = await t.app.inject({
      url: '/about',
      headers: { cookie: cookieHeader(cookieJar(sw)) },
    });
    expect(after.body).toContain('Aceptar todas');
    expect((await t.app.inject('/cookies/lang?to=fr')).statusCode).toBe(400);
  });

  it('has Spanish words for every cookie in the catalogue', () => {
    for (const c of cookies) expect(cookiePurposeEs[c.name], c.name).toBeDefined();
  });
});

describe('consent records', () => {
  it('records Accept all with the policy and banner versions and the browser class, and goes back', async () => {
    const { res, jar } = await choose({ choice: 'accept', back: '/services', source: 'banner' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/services');
    expect(jar.spmb_choices).toBe(`a:g.d:g.v:${V}`);
    const rows = await records(jar.spmb_consent!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      subject_kind: 'browser',
      subject_id: null,
      analytics: 1,
      advertising: 1,
      gpc: 0,
      source: 'banner',
      policy_version: policyVersions.at(-1)!.version,
      banner_version: BANNER_VERSION,
      ua_class: 'Chrome desktop',
    });
    const page = await t.app.inject({ url: '/services', headers: { cookie: cookieHeader(jar) } });
    expect(page.body).not.toContain('data-cookie-banner');
  });

  it('keeps one consent id per browser across choices, and records a refusal', async () => {
    const first = await choose({ choice: 'accept' });
    const second = await choose({ choice: 'reject', source: 'cookies_page' }, first.jar);
    expect(second.jar.spmb_consent).toBe(first.jar.spmb_consent);
    expect(second.jar.spmb_choices).toBe(`a:d.d:d.v:${V}`);
    const rows = await records(first.jar.spmb_consent!);
    expect(rows.map((r) => [r.analytics, r.advertising, r.source])).toEqual([
      [1, 1, 'banner'],
      [0, 0, 'cookies_page'],
    ]);
  });

  it('records a custom choice category by category', async () => {
    const { jar } = await choose({ choice: 'custom', analytics: 'on' });
    expect(jar.spmb_choices).toBe(`a:g.d:d.v:${V}`);
  });

  it('links a signed-in staff member to their record', async () => {
    const staff = await staffJar(t, 'sales');
    const { jar } = await choose({ choice: 'reject' }, staff);
    const [row] = await records(jar.spmb_consent!);
    expect(row!.subject_kind).toBe('staff');
    expect(row!.subject_id).toBeTruthy();
  });

  it('under GPC refuses advertising even on Accept all, says so, and records the application', async () => {
    const before = await t.db.selectFrom('gpc_applications').select('id').execute();
    const { jar } = await choose({ choice: 'accept' }, {}, { 'sec-gpc': '1' });
    expect(jar.spmb_choices).toBe(`a:g.d:d.v:${V}`);
    const [row] = await records(jar.spmb_consent!);
    expect(row).toMatchObject({ analytics: 1, advertising: 0, gpc: 1 });
    const applied = await t.db
      .selectFrom('gpc_applications')
      .selectAll()
      .where('subject_id', '=', jar.spmb_consent!)
      .execute();
    expect(applied).toHaveLength(1);
    expect(applied[0]!.overrode).toBe('advertising_opt_in');
    expect(
      (await t.db.selectFrom('gpc_applications').select('id').execute()).length,
    ).toBeGreaterThan(before.length);
    // The script passes navigator.globalPrivacyControl as a field: the same result.
    const viaScript = await choose({ choice: 'accept', gpc: '1' });
    expect(viaScript.jar.spmb_choices).toBe(`a:g.d:d.v:${V}`);
    const page = await t.app.inject({
      url: '/cookies',
      headers: { cookie: cookieHeader(jar), 'sec-gpc': '1' },
    });
    expect(page.body).toContain('Opt-out preference signal honored');
  });

  it('refuses bad input with a clear 400 and stores nothing', async () => {
    const count = async () =>
      (await t.db.selectFrom('cookie_consents').select('id').execute()).length;
    const n = await count();
    const bad = await choose({ choice: 'everything' });
    expect(bad.res.statusCode).toBe(400);
    expect(bad.res.body).toContain('Accept all, Reject all');
    expect(bad.res.headers['set-cookie']).toBeUndefined();
    const json = await t.app.inject({
      method: 'POST',
      url: '/cookies',
      headers: { 'content-type': 'application/json' },
      payload: '{"choice":1}',
    });
    expect(json.statusCode).toBe(400);
    expect(await count()).toBe(n);
  });

  it('refuses a choice posted from another site, and never redirects off-site', async () => {
    const forged = await choose(
      { choice: 'accept' },
      {},
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(forged.res.statusCode).toBe(403);
    expect(forged.res.headers['set-cookie']).toBeUndefined();
    // Same-site posts carry `Origin: null` under our no-referrer policy: still accepted.
    const own = await choose(
      { choice: 'reject' },
      {},
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    expect(own.res.statusCode).toBe(303);
    const offsite = await choose({ choice: 'reject', back: '//evil.example/x' });
    expect(offsite.res.headers.location).toBe('/cookies?saved=1');
  });

  it('records a choice made with the Privacy Center radios the same way', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/privacy-center/choices',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': chrome },
      payload: form({ analyticsCookies: 'allow', advertisingCookies: 'deny' }),
    });
    expect(res.statusCode).toBe(303);
    const jar = cookieJar(res);
    expect(jar.spmb_choices).toBe(`a:g.d:d.v:${V}`);
    const [row] = await records(jar.spmb_consent!);
    expect(row).toMatchObject({ source: 'privacy_center', analytics: 1, advertising: 0 });
  });

  it('counts rates by category and day for the console', async () => {
    const today = t.clock.now().toISOString().slice(0, 10);
    const [day] = await consentRates(t.db, today, today);
    expect(day!.choices).toBeGreaterThan(3);
    expect(day!.analytics).toBeLessThanOrEqual(day!.choices);
    expect(
      uaClass(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari mobile');
    expect(uaClass(undefined)).toBe('unknown');
  });
});

describe('re-consent when the policy changes materially', () => {
  it('asks again a visitor who accepted under an older version, and stops counting the grant', async () => {
    const jar = { spmb_choices: 'a:g.d:g.v:1_1' };
    const page = await t.app.inject({ url: '/', headers: { cookie: cookieHeader(jar) } });
    expect(page.body).toContain('data-cookie-banner');
    // A refusal stands whatever the version: nothing to ask again.
    const refused = await t.app.inject({
      url: '/',
      headers: { cookie: 'spmb_choices=a:d.d:d.v:1_1' },
    });
    expect(refused.body).not.toContain('data-cookie-banner');
  });

  it('asks again after a new material version, but not after a minor one', async () => {
    const { jar } = await choose({ choice: 'accept' });
    const versions = policyVersions as PolicyVersion[];
    const shown = async () =>
      (await t.app.inject({ url: '/', headers: { cookie: cookieHeader(jar) } })).body.includes(
        'data-cookie-banner',
      );
    expect(await shown()).toBe(false);
    versions.push({
      version: '9.8',
      effective: '2099-01-01',
      fingerprint: 'x',
      material: false,
      summary: 'Wording.',
    });
    try {
      expect(await shown()).toBe(false);
      versions.push({
        version: '9.9',
        effective: '2099-01-02',
        fingerprint: 'y',
        material: true,
        summary: 'A new purpose.',
      });
      expect(await shown()).toBe(true);
    } finally {
      versions.splice(versions.length - 2);
    }
  });
});

describe('the console page of consent rates', () => {
  it('is open to admin and privacy staff, and refused to sales', async () => {
    for (const role of ['admin', 'privacy'] as const) {
      const res = await t.app.inject({
        url: '/console/consent',
        headers: { cookie: cookieHeader(await staffJar(t, role)) },
      });
      expect(res.statusCode, role).toBe(200);
      expect(res.body).toContain('Consent rates by category and day');
    }
    const sales = await t.app.inject({
      url: '/console/consent',
      headers: { cookie: cookieHeader(await staffJar(t, 'sales')) },
    });
    expect(sales.statusCode).toBe(403);
    const bad = await t.app.inject({
      url: '/console/consent?from=2026-02-31',
      headers: { cookie: cookieHeader(await staffJar(t, 'admin')) },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('not a real calendar date');
  });
});
