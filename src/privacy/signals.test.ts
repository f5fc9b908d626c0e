import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { postForm, staffJar } from '../test-support/staff.js';
import { policyVersions } from './policy-versions.js';
import { CHOICES_COOKIE, signalsOf, type PrivacySignals } from './signals.js';

// One request, one answer: the kernel's `request.privacy` decides what a visitor allows, and the
// tags, the collector, the cookie notice, intake and the Privacy Center all act on that answer.

const V = policyVersions.at(-1)!.version.replace('.', '_');
const signals: Record<string, Record<string, string>> = {
  none: {},
  gpc: { 'sec-gpc': '1' },
  dnt: { dnt: '1' },
  both: { 'sec-gpc': '1', dnt: '1' },
  'gpc 0': { 'sec-gpc': '0' },
};
const choices: Record<string, string | undefined> = {
  unchosen: undefined,
  'all granted': `a:g.d:g.v:${V}`,
  'analytics only': `a:g.d:d.v:${V}`,
  'advertising only': `a:d.d:g.v:${V}`,
  'all denied': `a:d.d:d.v:${V}`,
  // A grant under a policy version a material change replaced no longer stands.
  'granted, stale version': 'a:g.d:g.v:0_1',
};
const cases = Object.entries(signals)
  .flatMap(([signal, headers]) =>
    Object.entries(choices).map(([choice, cookie]) => ({
      name: `${signal}, ${choice}`,
      headers,
      cookie,
    })),
  )
  // A browser each, so the collector's per-source bounds never answer for the kernel.
  .map((c, i) => ({ ...c, ip: `192.0.2.${i + 1}` }));

const of = (c: (typeof cases)[number]): PrivacySignals =>
  signalsOf({ headers: c.headers, cookies: c.cookie ? { [CHOICES_COOKIE]: c.cookie } : {} });

describe('the kernel’s answer', () => {
  it('allows a category only when it was granted and no GPC or Do Not Track signal is sent', () => {
    const granted = (cookie: string | undefined, key: 'a' | 'd') =>
      !!cookie && cookie.includes(`${key}:g`) && !cookie.includes('v:0_1');
    for (const c of cases) {
      const p = of(c);
      const optedOut = c.headers['sec-gpc'] === '1' || c.headers.dnt === '1';
      expect([p.gpc, p.dnt, p.optedOut], c.name).toEqual([
        c.headers['sec-gpc'] === '1',
        c.headers.dnt === '1',
        optedOut,
      ]);
      expect(p.allows('analytics'), c.name).toBe(!optedOut && granted(c.cookie, 'a'));
      expect(p.allows('advertising'), c.name).toBe(!optedOut && granted(c.cookie, 'd'));
    }
  });

  it('sees a choice made during the request', () => {
    const p = signalsOf({ headers: {}, cookies: {} });
    expect([p.undecided, p.allows('analytics')]).toEqual([true, false]);
    p.choose({ analytics: 'granted', advertising: 'denied' });
    expect([p.undecided, p.allows('analytics'), p.allows('advertising')]).toEqual([
      false,
      true,
      false,
    ]);
  });
});

describe('every consumer, asked about the same request', () => {
  let t: TestApp;
  const adOrigin = 'https://ads.vendor.example';
  const statsSnippet = 'window.statsLoaded = true;';
  beforeAll(async () => {
    t = await createTestApp();
    const admin = await staffJar(t, 'admin');
    // Tag vendors are registered service providers (src/privacy/tag-disclosures.ts).
    for (const [key, name] of [
      ['advendor', 'AdVendor Inc.'],
      ['statsco', 'StatsCo'],
    ] as const)
      await addRecipient(t, {
        key,
        name,
        categories: ['online.activity'],
        purpose: 'measures visits',
      });
    const tags: Record<string, string>[] = [
      {
        name: 'Ad pixel',
        category: 'advertising',
        provider: 'advendor',
        categories: 'online.activity',
        scriptUrl: `${adOrigin}/pixel.js`,
      },
      {
        name: 'Stats',
        category: 'analytics',
        provider: 'statsco',
        categories: 'online.activity',
        inlineSnippet: statsSnippet,
        origin: 'https://stats.vendor.example',
      },
    ];
    for (const tag of tags)
      expect((await postForm(t, admin, '/console/settings/tags', tag)).statusCode).toBe(303);
  });
  afterAll(async () => t.close());

  // The collector counts browsers, not scripts: a request without a browser's agent is dropped.
  const chrome =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
  const send = (c: (typeof cases)[number], url: string, method: 'GET' | 'POST' = 'GET') =>
    t.app.inject({
      method,
      url,
      remoteAddress: c.ip,
      headers: {
        'user-agent': chrome,
        ...c.headers,
        ...(c.cookie ? { cookie: `${CHOICES_COOKIE}=${c.cookie}` } : {}),
        ...(method === 'POST' ? { 'content-type': 'text/plain;charset=UTF-8' } : {}),
      },
      ...(method === 'POST'
        ? { payload: JSON.stringify({ type: 'pageview', url: 'http://localhost:3000/services' }) }
        : {}),
    });

  // One case per test: each gets its own time, and a failure names its request.
  it.each(cases)('gives $name one decision in every consumer', async (c) => {
    const p = of(c);
    const page = await send(c, '/services');
    expect(page.body.includes(statsSnippet), `${c.name}: analytics tag`).toBe(
      p.allows('analytics'),
    );
    expect(page.body.includes(`${adOrigin}/pixel.js`), `${c.name}: ad tag`).toBe(
      p.allows('advertising'),
    );
    expect(page.body.includes('Opt-out preference signal honored'), `${c.name}: page`).toBe(p.gpc);

    const beacon = await send(c, '/api/event', 'POST');
    expect(beacon.statusCode, c.name).toBe(202);
    const visitorCookie = beacon.cookies.some((k) => k.name === 'spmb_vid');
    expect(visitorCookie, `${c.name}: collector`).toBe(p.allows('analytics'));

    const notice = await send(c, '/cookies');
    expect(notice.body.includes('class="cookie-gpc"'), `${c.name}: notice`).toBe(p.gpc);
    const intake = await send(c, '/get-started');
    expect(intake.body.includes('id="gpc-honored"'), `${c.name}: intake`).toBe(p.gpc);
    const center = await send(c, '/privacy-center');
    expect(center.body.includes('id="gpc-honored"'), `${c.name}: Privacy Center`).toBe(p.gpc);
  });
});
