import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { staffJar, submitPageForm, type Jar } from '../test-support/staff.js';

// Every route that redirects to a target taken from the request, fed hostile targets the way
// an attacker would put them in a link or a form: the answer stays on this site, never a 500.

const SITE = 'http://localhost:3000';

/** Query-string values, percent-encoded as they would appear in a crafted link. */
const hostile: Record<string, string> = {
  'scheme-relative': '//evil.example',
  backslash: '/%5Cevil.example',
  'tab (the reported case)': '/%09/evil.example', // the browser drops it: //evil.example
  'encoded slash': '/%252F/evil.example', // /%2F/evil.example once the query is read
  'encoded slashes only': '%252f%252fevil.example',
  'absolute URL': 'https://evil.example',
  'javascript:': 'javascript:alert(1)',
  'zero-width space': '/%E2%80%8B/evil.example',
  'right-to-left override': '/%E2%80%AEevil',
  'CR LF': '/%0D%0ASet-Cookie:%20x=1',
  'line feed': '/%0A/evil.example',
  'non-ASCII': '/%C3%A9',
  'not UTF-8': '/%ED%A0%80',
  'a lone percent': '%',
  'a stray byte': '%ff',
  'very long': `/${'a'.repeat(5000)}`,
};
/** Each hostile value as `name=value`, plus the name twice (a query parser makes it an array). */
const cases = (name: string): [string, string][] => [
  ...Object.entries(hostile).map(([why, v]): [string, string] => [why, `${name}=${v}`]),
  ['given twice', `${name}=/a&${name}=//evil.example`],
];

/** On this site by the URL standard, and nothing a browser would silently strip or refuse. */
function expectOnSite(res: { statusCode: number; headers: Record<string, unknown> }, why: string) {
  expect(res.statusCode, why).toBe(303);
  const location = String(res.headers.location);
  expect(location, why).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
  expect(new URL(location, SITE).origin, why).toBe(SITE);
}

let t: TestApp;
let staff: Jar;
beforeAll(async () => {
  t = await createTestApp();
  staff = await staffJar(t, 'sales');
  await t.app.accounts.createStaffUser({
    email: 'rita@example.test',
    password: 'correct horse battery staple',
    role: 'sales',
  });
});
afterAll(async () => t.close());

const form = (query: string) => ({
  'content-type': 'application/x-www-form-urlencoded',
  payload: query,
});

describe('cookie choices go back only to a page of this site', () => {
  it.each(cases('back'))('GET /cookies/lang: %s', async (_why, query) => {
    const res = await t.app.inject({ method: 'GET', url: `/cookies/lang?to=es&${query}` });
    expectOnSite(res, query);
    expect(res.headers.location).toBe('/');
  });

  it.each(cases('back'))('POST /cookies: %s', async (_why, query) => {
    const { payload, ...headers } = form(`choice=reject&source=banner&${query}`);
    const res = await t.app.inject({ method: 'POST', url: '/cookies', headers, payload });
    expectOnSite(res, query);
    expect(res.headers.location).toBe('/cookies?saved=1');
  });

  it.each(cases('back'))('GET /cookies carries no hostile target: %s', async (_why, query) => {
    const res = await t.app.inject({ method: 'GET', url: `/cookies?${query}` });
    expect(res.statusCode).toBe(200);
    for (const back of res.body.matchAll(/name="back" value="([^"]*)"/g)) {
      expect(['/', '/cookies?saved=1'], query).toContain(back[1]);
    }
  });

  it('still goes back to the page the visitor was on', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/cookies/lang?to=es&back=%2Fservices%3Fa%3D1',
    });
    expect(res.headers.location).toBe('/services?a=1');
  });
});

describe('signing in goes on only to a page of the console', () => {
  it.each(cases('next'))('GET /console/login when signed in: %s', async (_why, query) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/console/login?${query}`,
      headers: { cookie: cookieHeader(staff) },
    });
    expectOnSite(res, query);
    expect(res.headers.location).toBe('/console');
  });

  it.each(cases('next'))(
    'GET /console/login shows the form without it: %s',
    async (_why, query) => {
      const res = await t.app.inject({ method: 'GET', url: `/console/login?${query}` });
      expect(res.statusCode).toBe(200);
      expect(() => hiddenField(res.body, 'next')).toThrow();
    },
  );

  // Each sign-in hashes a password: a few kinds of target, not all of them.
  const posted = ['tab (the reported case)', 'zero-width space', 'CR LF', 'very long'];
  it.each(posted)('POST /console/login: %s', async (why) => {
    const next = decodeURIComponentOr(hostile[why]!);
    const fields = { email: 'rita@example.test', password: 'correct horse battery staple', next };
    const { res } = await submitPageForm(t, '/console/login', fields);
    expectOnSite(res, next);
    expect(res.headers.location).toBe('/console');
  });

  it('leaves the console by dot segments no more than by another origin', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/console/login?next=/console/../cookies',
      headers: { cookie: cookieHeader(staff) },
    });
    expect(res.headers.location).toBe('/console');
  });
});

describe('the sign-in redirect of a console page', () => {
  it.each([
    ['/console/leads?q=%0D%0A'],
    ['/console/leads?q=//evil.example'],
    [`/console/leads?q=${'a'.repeat(3000)}`],
  ])('GET %s signed out', async (url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expectOnSite(res, url);
    expect(String(res.headers.location)).toMatch(/^\/console\/login(\?next=%2Fconsole%2Fleads|$)/);
  });
});

// A NUL never reaches a redirect: text the database could not store is refused at the edge
// (src/web/storable-text.ts) with a 400 naming the field, before any route runs.
describe('a NUL in a redirect target', () => {
  it.each([
    ['GET', '/cookies/lang?to=es&back=/%00', 'back'],
    ['POST', '/cookies', 'back'],
    ['GET', '/console/login?next=/%00', 'next'],
  ] as const)('%s %s is refused with 400 naming the field', async (method, url, field) => {
    const res = await t.app.inject({
      method,
      url,
      ...(method === 'POST'
        ? {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'choice=reject&source=banner&back=/%00',
          }
        : {}),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(field);
    expect(res.headers.location).toBeUndefined();
  });
});

/** What a form field holds once the browser has decoded the link's value. */
function decodeURIComponentOr(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
