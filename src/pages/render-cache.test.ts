import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPolicy } from '../privacy/policy-versions.js';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { postForm, staffSessions } from '../test-support/staff.js';
import { visibleText } from './testing.js';

// Public pages come from templates rendered once per variant (src/web/render.ts): each variant
// must still show what a fresh render would, and the cache must hold nothing of a visitor's.

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin']);
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });
const rejected = { cookie: `spmb_choices=a:d.d:d.v:${currentPolicy.version.replace(/\./g, '_')}` };
const cached = () => t.app.pageCache.entries();

describe('the render cache', () => {
  it('serves a page from one template, tagged, and answers a matching If-None-Match with 304', async () => {
    const first = await get('/about', rejected);
    const again = await get('/about', rejected);
    expect(again.body).toBe(first.body);
    expect(cached().filter(([k]) => k.startsWith('/about#'))).toHaveLength(1);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');

    const revalidated = await get('/about', { ...rejected, 'if-none-match': etag });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    // The security headers come with it, as with every answer.
    expect(revalidated.headers['content-security-policy']).toContain("default-src 'self'");
    const stale = await get('/about', { ...rejected, 'if-none-match': '"something-else"' });
    expect(stale.statusCode).toBe(200);
    // Another state is another variant: the notice shown, so another tag.
    const firstVisit = await get('/about', { 'if-none-match': etag });
    expect(firstVisit.statusCode).toBe(200);
    expect(firstVisit.headers.etag).not.toBe(etag);
    expect(firstVisit.body).toContain('data-cookie-banner');
  });

  it('shows the notice in the visitor’s language and the GPC notice only to those who send it', async () => {
    const es = await get('/services', { 'accept-language': 'es' });
    const en = await get('/services', { 'accept-language': 'en' });
    const esAgain = await get('/services', { 'accept-language': 'es-MX,es;q=0.9' });
    expect(visibleText(es.body)).toContain('Cookies en este sitio');
    expect(visibleText(en.body)).toContain('Cookies on this site');
    expect(visibleText(en.body)).not.toContain('Cookies en este sitio');
    expect(esAgain.body).toBe(es.body);

    const gpc = await get('/services', { ...rejected, 'sec-gpc': '1' });
    const plain = await get('/services', rejected);
    const gpcAgain = await get('/services', { ...rejected, 'sec-gpc': '1' });
    expect(visibleText(gpc.body)).toContain('Opt-out preference signal honored');
    expect(visibleText(plain.body)).not.toContain('Opt-out preference signal honored');
    expect(gpcAgain.body).toBe(gpc.body);
    expect(gpc.headers.etag).not.toBe(plain.headers.etag);
  });

  it('returns the notice to the page each visitor is on, escaped as a fresh render would', async () => {
    const a = await get('/partners?from=a%22&x=1');
    const b = await get('/partners?from=b');
    expect(hiddenField(a.body, 'back')).toBe('/partners?from=a%22&x=1');
    expect(a.body).toContain('value="/partners?from=a%22&amp;x=1"');
    expect(a.body).toContain(
      `href="/cookies?back=${encodeURIComponent('/partners?from=a%22&x=1')}"`,
    );
    expect(hiddenField(b.body, 'back')).toBe('/partners?from=b');
    expect(a.headers.etag).not.toBe(b.headers.etag);
  });

  it('gives every visitor of the intake form a token of their own, each accepted once', async () => {
    const one = await get('/get-started', rejected);
    const two = await get('/get-started', rejected);
    const [a, b] = [hiddenField(one.body, 'formToken'), hiddenField(two.body, 'formToken')];
    expect(a).not.toBe(b);
    expect(one.body.replace(a, '')).toBe(two.body.replace(b, ''));
    // The body differs every time: no tag, and never kept by the browser.
    expect(one.headers.etag).toBeUndefined();
    expect(one.headers['cache-control']).toBe('no-store');
    const res = await t.app.inject({
      method: 'POST',
      url: '/get-started',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        userType: 'provider',
        name: 'Rene Castillo',
        organization: 'Castillo Pediatrics',
        practiceSize: '6-20',
        address: '12 Oak Lane',
        city: 'Austin',
        state: 'TX',
        zip: '78701',
        email: 'rene@castillo.example',
        phone: '',
        needs: 'Claims are slow to be paid.',
        formToken: b,
      }).toString(),
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
  });

  it('shows a new policy version on the cached /privacy and /cookies at once', async () => {
    const before = await get('/privacy', rejected);
    const cookiesBefore = await get('/cookies', rejected);
    expect(visibleText(before.body)).not.toContain('Harbor Mail Relay');
    const registered = await postForm(t, staff.admin!.jar, '/console/settings/processors', {
      kind: 'processor',
      key: 'harbor-relay',
      name: 'Harbor Mail Relay',
      categories: ['contact.email'],
      purpose: 'delivers the emails we send',
      contractRef: 'DPA-1',
    });
    expect(registered.statusCode).toBe(303);
    const after = await get('/privacy', rejected);
    expect(visibleText(after.body)).toContain('Harbor Mail Relay');
    expect(visibleText(after.body)).toContain(`Version ${currentPolicy.version}.1, effective`);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const stale = await get('/privacy', { ...rejected, 'if-none-match': before.headers.etag! });
    expect(stale.statusCode).toBe(200);

    // A tag's vendor is a registered service provider (src/privacy/tag-disclosures.ts).
    const vendor = await postForm(t, staff.admin!.jar, '/console/settings/processors', {
      kind: 'processor',
      key: 'harbor-ads',
      name: 'Harbor Ads',
      categories: ['online.activity'],
      purpose: 'measures our advertising',
      contractRef: 'DPA-2',
    });
    expect(vendor.statusCode).toBe(303);
    const tag = await postForm(t, staff.admin!.jar, '/console/settings/tags', {
      name: 'Harbor pixel',
      category: 'advertising',
      provider: 'harbor-ads',
      categories: 'online.activity',
      scriptUrl: 'https://ads.harbor.example/p.js',
    });
    expect(tag.statusCode).toBe(303);
    const cookiesAfter = await get('/cookies', rejected);
    expect(visibleText(cookiesBefore.body)).not.toContain('Harbor Ads');
    expect(visibleText(cookiesAfter.body)).toContain('Harbor Ads');
  });

  it('holds no visitor’s data: no query, token, address or cookie value in a key or template', async () => {
    const email = 'alice.moreno@example.com';
    const visits = [
      await get(`/?email=${encodeURIComponent(email)}`),
      await get(`/cookies?back=${encodeURIComponent(`/about?email=${email}`)}`, rejected),
      await get('/get-started', { 'x-forwarded-for': '203.0.113.77' }),
    ];
    const token = hiddenField(visits[2]!.body, 'formToken');
    // What was served carried them, so the check below can fail.
    expect(visits[0]!.body).toContain(encodeURIComponent(email));
    expect(visits[1]!.statusCode).toBe(200);
    for (const [key, template] of cached())
      for (const secret of [
        email,
        encodeURIComponent(email),
        'alice',
        token,
        '203.0.113.77',
        'a:d.d:d',
      ]) {
        expect(key).not.toContain(secret);
        expect(template).not.toContain(secret);
      }
  });
});
