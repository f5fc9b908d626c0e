import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, hiddenField, type TestApp } from '../../src/test-support/app.js';
import { concrete, publicRoutes, type RouteEntry } from './routes.js';

/**
 * Fuzz: every public route (found in the router, so a route added later is fuzzed too) meets
 * random and hostile requests. None may answer 500; a refusal always carries a message; a
 * refused request stores nothing in the tables that hold what people send.
 *
 * CI runs FUZZ_RUNS (default 16) cases per route with a fixed seed; `npm run soak` raises it.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 16);
const seed = Number(process.env.FUZZ_SEED ?? 20261128);

const recordTables = [
  'leads',
  'lead_submissions',
  'consents',
  'privacy_requests',
  'privacy_request_tokens',
] as const;

let t: TestApp;
let routes: RouteEntry[];
beforeAll(async () => {
  t = await createTestApp();
  routes = publicRoutes(t.app);
  // Genuine form tokens, so some cases get past the token check into field validation.
  for (const url of ['/get-started', '/privacy-center']) {
    const page = await t.app.inject({ method: 'GET', url });
    validTokens.push(hiddenField(page.body, 'formToken'));
  }
});
const validTokens: string[] = [];
const aValidToken = fc.nat().map((i) => validTokens[i % validTokens.length] ?? 'none');
afterAll(async () => t?.close());

async function recordCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of recordTables) {
    const row = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\u0001\u0002\u0007\u001b[31m\u007f',
  '\r\n\r\nX-Injected: 1',
  '\uD800',
  '\uFFFE\uFFFF',
  '=HYPERLINK("http://evil.example")',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00%ff%c0%af',
  '//evil.example/',
  'https://evil.example/\\@',
  '{"__proto__":{"polluted":1}}',
  '',
  ' ',
  '9'.repeat(400),
);
/** Plausible values, so some cases reach the deeper checks (and the database). */
const plausible = fc.constantFrom(
  'Ann Lee',
  'ann@example.com',
  'a\u0000@example.com',
  '+1 305 555 0100',
  'Sunrise Clinic',
  'on',
  'yes',
  'access',
  'delete',
  'accept',
  'reject',
  'allow',
);
const hostileString = fc.oneof(
  nasty,
  plausible,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\u0008', '\u000b', '\u007f', 'a', '@', 'é', '\u202e', '😀'),
    maxLength: 30,
  }),
  fc.integer({ min: 2_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);
/** Header values must be sendable at all: visible ASCII only (a raw NUL never reaches us). */
const headerValue = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 60,
  }),
  fc.constantFrom(
    '',
    '1',
    '0',
    'application/json',
    'text/html',
    '*/*',
    'gzip',
    'br',
    'x'.repeat(4000),
  ),
);
const fieldNames = fc.oneof(
  fc.constantFrom(
    'formToken',
    'name',
    'email',
    'phone',
    'company',
    'message',
    'consent',
    'kind',
    'choice',
    'analyticsCookies',
    'advertisingCookies',
    'n',
    'u',
    'r',
    'p',
    'token',
    '__proto__',
    'constructor',
    'next',
  ),
  fc.string({ maxLength: 12 }),
);
const fields = fc.dictionary(
  fieldNames,
  fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })),
  {
    maxKeys: 8,
  },
);

/** Fields, half the time with a genuine form token among them. */
const formFields = fc
  .tuple(fields, fc.option(aValidToken, { nil: undefined }))
  .map(([o, token]) => (token === undefined ? o : { ...o, formToken: token }));

const formEncode = (o: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const one of [v].flat()) p.append(k, one);
  return p.toString();
};

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/json',
      'application/json; charset=latin1',
      'text/plain',
      'text/plain;charset=UTF-8',
      'multipart/form-data; boundary=zzz',
      'application/xml',
      'application/octet-stream',
      'application/csp-report',
    ),
    headerValue,
  ),
  { nil: undefined },
);

const body = fc.oneof(
  formFields.map(formEncode),
  formFields.map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  hostileString,
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constant('{"unterminated'),
  fc.constant(undefined),
);

const request = fc.record({
  fill: hostileString.map((s) => s.slice(0, 200)),
  query: fc.option(fields.map(formEncode), { nil: undefined }),
  contentType,
  body,
  accept: fc.option(headerValue, { nil: undefined }),
  encoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'zstd', 'x-nonsense'), {
    nil: undefined,
  }),
  acceptEncoding: fc.option(headerValue, { nil: undefined }),
  site: fc.constantFrom('same-origin', 'cross-site', 'none', undefined),
  gpc: fc.option(headerValue, { nil: undefined }),
  cookie: fc.option(headerValue, { nil: undefined }),
  userAgent: fc.option(headerValue, { nil: undefined }),
  extra: fc.dictionary(
    fc.constantFrom(
      'x-forwarded-for',
      'referer',
      'origin',
      'accept-language',
      'dnt',
      'range',
      'if-none-match',
    ),
    headerValue,
    { maxKeys: 3 },
  ),
});

/** What a person reads in a refusal: the JSON `error`, or the page's text. */
function messageOf(res: { headers: Record<string, unknown>; body: string }): string {
  const type = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : '';
  if (type.includes('json')) {
    const parsed = JSON.parse(res.body) as { error?: unknown; message?: unknown };
    const message = parsed.error ?? parsed.message;
    return typeof message === 'string' ? message : '';
  }
  return res.body
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('fuzz: every public route', () => {
  it('finds the public routes in the router, the known ones among them', () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    for (const known of [
      'POST /get-started',
      'POST /api/event',
      'POST /privacy-center/request',
      'POST /cookies',
      'GET /privacy-center',
    ])
      expect(urls).toContain(known);
    expect(urls.filter((u) => u.split(' ')[1]!.startsWith('/console'))).toEqual([]);
    console.log(`fuzzing ${routes.length} public routes:\n${urls.join('\n')}`);
  });

  it('never answers 500, always explains a refusal, never stores part of a refused request', async () => {
    let cases = 0;
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          cases++;
          const before = await recordCounts();
          const headers: Record<string, string | undefined> = { ...r.extra };
          if (r.contentType !== undefined) headers['content-type'] = r.contentType;
          if (r.accept !== undefined) headers.accept = r.accept;
          if (r.encoding !== undefined) headers['content-encoding'] = r.encoding;
          if (r.acceptEncoding !== undefined) headers['accept-encoding'] = r.acceptEncoding;
          if (r.gpc !== undefined) headers['sec-gpc'] = r.gpc;
          if (r.cookie !== undefined) headers.cookie = r.cookie;
          if (r.userAgent !== undefined) headers['user-agent'] = r.userAgent;
          headers['sec-fetch-site'] = r.site;
          const url = concrete(route.url, r.fill) + (r.query ? `?${r.query}` : '');
          const res = await t.app.inject({
            method: route.method as 'POST',
            url,
            headers,
            ...(r.body !== undefined && route.method !== 'GET' ? { payload: r.body } : {}),
          });
          const where = `${route.method} ${route.url} -> ${res.statusCode}`;
          expect(res.statusCode, `${where}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(messageOf(res).length, `${where}: a refusal says why`).toBeGreaterThan(10);
            expect(await recordCounts(), `${where}: a refused request stores nothing`).toEqual(
              before,
            );
          }
        }),
        { numRuns: runs, seed, endOnFailure: true },
      );
    }
    expect(cases).toBe(routes.length * runs);
  }, 600_000);
});
