import { policyVersions } from '../privacy/policy-versions.js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows } from '../retention/types.js';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { contend } from '../test-support/contention.js';
import { dayOf, dictKinds, toAt } from './codes.js';
import { createCollector } from './collector.js';
import { cookieVisitor } from './identity.js';
import type { BatchWriter, Hit, Refused } from './writer.js';

/** The choice cookie as the banner writes it after "allow analytics", under the current policy. */
const GRANTED = `a:g.v:${policyVersions.at(-1)!.version.replace('.', '_')}`;

let t: TestApp;
const clock = new TestClock();
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

const UA = {
  chromeWin:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  firefoxMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
};

let ipSeq = 1;
async function post(
  body: unknown,
  opts: { ua?: string; ip?: string; headers?: Record<string, string> } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/event',
    remoteAddress: opts.ip ?? `192.0.2.${ipSeq++}`,
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      'user-agent': opts.ua ?? UA.chromeWin,
      ...opts.headers,
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const view = (path = '/services', extra: Record<string, unknown> = {}) => ({
  type: 'pageview',
  url: `http://localhost:3000${path}`,
  ...extra,
});

/** Dictionary ids of a path (a subquery, so a path not yet seen matches nothing). */
const pathIds = (p: string) =>
  t.db
    .selectFrom('analytics_dict')
    .select('id')
    .where('kind', '=', dictKinds.path)
    .where('value', '=', p);

async function lastSession() {
  const s = await t.db
    .selectFrom('analytics_sessions')
    .selectAll()
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const names = new Map(
    (await t.db.selectFrom('analytics_dict').select(['id', 'value']).execute()).map((r) => [
      r.id,
      r.value,
    ]),
  );
  const label = (id: number | null) => (id === null ? null : names.get(id));
  return { ...s, label };
}

describe('POST /api/event', () => {
  it('stores a page view with browser, OS and device from real user-agent strings', async () => {
    const cases = [
      [UA.chromeWin, 'Chrome 120', 'Windows 10', 1],
      [UA.safariIphone, 'Safari 17', 'iOS 17', 2],
      [UA.firefoxMac, 'Firefox 121', 'macOS Catalina', 1],
      [UA.ipad, 'Safari 16', 'iOS 16', 3],
    ] as const;
    for (const [ua, browser, os, device] of cases) {
      expect((await post(view(), { ua })).statusCode).toBe(202);
      const s = await lastSession();
      expect([s.label(s.browser_version), s.label(s.os), s.device], ua).toEqual([
        browser,
        os,
        device,
      ]);
    }
  });

  it('maps a known IP range to its country, region and city, and never stores the IP', async () => {
    expect((await post(view(), { ip: '81.2.69.160' })).statusCode).toBe(202);
    const s = await lastSession();
    expect(s.label(s.country)).toBe('GB');
    expect(s.label(s.region)).toBe('England, GB');
    const all = JSON.stringify(await t.db.selectFrom('analytics_dict').select('value').execute());
    expect(all).not.toContain('81.2.69.160');
  });

  it('drops bots, crawlers and headless browsers', async () => {
    const before = await countRows(t.db.selectFrom('analytics_events'));
    for (const ua of [UA.googlebot, UA.headless])
      expect((await post(view(), { ua })).statusCode).toBe(204);
    expect(await countRows(t.db.selectFrom('analytics_events'))).toBe(before);
  });

  it('under GPC or Do Not Track sets and reads no cookie and stores no visitor id, even with consent', async () => {
    for (const h of [{ 'sec-gpc': '1' }, { dnt: '1' }] as Record<string, string>[]) {
      const res = await post(view(), {
        headers: { ...h, cookie: `spmb_choices=${GRANTED}; spmb_vid=AAAAAAAAAAAAAAAAAAAAAA` },
      });
      expect(res.statusCode).toBe(202);
      expect(res.cookies.find((c) => c.name === 'spmb_vid')).toBeUndefined();
      expect((await lastSession()).visitor).toBeNull();
    }
  });

  it('with analytics consent sets a 13-month first-party cookie and counts the visitor as returning', async () => {
    const first = await post(view(), { headers: { cookie: `spmb_choices=${GRANTED}` } });
    const vid = first.cookies.find((c) => c.name === 'spmb_vid');
    expect(vid?.maxAge).toBeLessThanOrEqual(396 * 24 * 3600);
    expect((await lastSession()).visitor_kind).toBe(1);
    clock.advance(2 * 3600_000);
    await post(view('/about'), {
      headers: { cookie: `spmb_choices=${GRANTED}; spmb_vid=${vid?.value}` },
    });
    expect((await lastSession()).visitor_kind).toBe(2);
  });

  it('carries the visit that led to consent on under the new cookie, instead of splitting it', async () => {
    const ip = '198.51.100.20';
    const today = dayOf(toAt(clock.now().getTime()));
    const visitorsToday = () =>
      t.db
        .selectFrom('analytics_visitor_days')
        .select('visitor')
        .where('day', '=', today)
        .execute();
    const before = await visitorsToday();
    await post(view('/?utm_source=ads'), { ip });
    const res = await post(view('/about'), { ip, headers: { cookie: `spmb_choices=${GRANTED}` } });
    const vid = res.cookies.find((c) => c.name === 'spmb_vid')?.value;
    expect(vid).toBeDefined();
    const s = await lastSession();
    expect([s.pageviews, s.visitor, s.label(s.utm_source)]).toEqual([
      2,
      cookieVisitor(vid!),
      'ads',
    ]);
    // One person today, counted under the cookie only, not also under the hash they arrived with.
    expect(await visitorsToday()).toEqual(
      expect.arrayContaining([...before, { visitor: cookieVisitor(vid!) }]),
    );
    expect(await visitorsToday()).toHaveLength(before.length + 1);
    clock.advance(3 * 3600_000);
    await post(view('/'), { ip, headers: { cookie: `spmb_choices=${GRANTED}; spmb_vid=${vid}` } });
    expect((await lastSession()).visitor_kind).toBe(2);
  });

  it('without a visitor id, counts a click or form step as an event but never as a visit of its own', async () => {
    const count = (table: 'analytics_sessions' | 'analytics_events') =>
      countRows(t.db.selectFrom(table));
    const [visits, events] = [await count('analytics_sessions'), await count('analytics_events')];
    const gpc = { headers: { 'sec-gpc': '1' } };
    await post(view('/get-started'), gpc);
    await post({ type: 'event', name: 'cta', url: 'http://localhost:3000/get-started' }, gpc);
    await post({ type: 'form_start', url: 'http://localhost:3000/get-started' }, gpc);
    expect(await count('analytics_sessions')).toBe(visits + 1);
    expect(await count('analytics_events')).toBe(events + 3);
  });

  it('keeps the last page viewed as the exit page when a click follows it', async () => {
    const ip = '198.51.100.30';
    await post(view('/'), { ip });
    await post({ type: 'event', name: 'cta', url: 'http://localhost:3000/elsewhere' }, { ip });
    const s = await lastSession();
    expect([s.events, s.label(s.exit_path)]).toEqual([1, '/']);
  });

  it('continues a visit within 30 minutes and keeps query strings out, except campaign tags', async () => {
    const ip = '198.51.100.7';
    await post(view('/?utm_source=News&utm_medium=email&email=a@b.test&gclid=x'), { ip });
    await post(view('/services?name=Jane'), { ip });
    const s = await lastSession();
    expect([s.pageviews, s.label(s.entry_path), s.label(s.exit_path)]).toEqual([
      2,
      '/',
      '/services',
    ]);
    expect([s.label(s.utm_source), s.label(s.utm_medium), s.channel]).toEqual(['news', 'email', 2]);
    const values = (await t.db.selectFrom('analytics_dict').select('value').execute()).map(
      (r) => r.value,
    );
    expect(values.join(' ')).not.toMatch(/Jane|a@b\.test|gclid/);
  });

  it('answers 400 with a reason for malformed events and 413 over 4 KB, storing nothing', async () => {
    const count = () => countRows(t.db.selectFrom('analytics_events'));
    const before = await count();
    const bad: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{ type: 'click', url: 'http://localhost:3000/' }, /type/],
      [{ type: 'pageview' }, /url/],
      [{ type: 'pageview', url: 'javascript:alert(1)' }, /url/],
      [{ type: 'event', url: 'http://localhost:3000/' }, /name/],
      [
        {
          type: 'event',
          name: 'x',
          url: 'http://localhost:3000/',
          props: Object.fromEntries([...Array(11).keys()].map((i) => [`k${i}`, i])),
        },
        /10 props/,
      ],
      [
        { type: 'event', name: 'x', url: 'http://localhost:3000/', props: { a: { nested: 1 } } },
        /props/,
      ],
      [{ ...view(), extra: 1 }, /extra|Unrecognized/i],
      // The funnel's last step is the server's to record, never a browser's.
      [{ type: 'intake_submitted', url: 'http://localhost:3000/get-started' }, /type/],
      // A page elsewhere (a copy of ours carrying the tracker, a forged beacon) is not our visit.
      [
        { type: 'pageview', url: 'https://elsewhere.example/' },
        /must be a page of this site, http:\/\/localhost:3000/,
      ],
    ];
    for (const [body, reason] of bad) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatch(reason);
    }
    const big = await post({ ...view(), referrer: 'x'.repeat(4200) });
    expect(big.statusCode).toBe(413);
    expect(await count()).toBe(before);
  });

  it('answers 503 with Retry-After, not 500, when the database stays locked, and stores nothing', async () => {
    const stored = () =>
      t.db
        .selectFrom('analytics_events')
        .select('id')
        .where('path', 'in', pathIds('/busy'))
        .execute();
    const contention = await contend(t.db, t.url);
    const res = await post(view('/busy'));
    await contention.release();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatch(/busy right now\. Please try again in a moment/);
    expect(await stored()).toEqual([]);
    expect((await post(view('/busy'))).statusCode).toBe(202);
    expect(await stored()).toHaveLength(1);
  });

  it('continues a cookieless visit across midnight, and keeps only today’s and yesterday’s salt', async () => {
    // To 23:50 of the current day.
    const now = clock.now().getTime();
    clock.advance(86_400_000 - (now % 86_400_000) - 10 * 60_000);
    const ip = '192.0.2.250';
    const visitsOf = async () =>
      (
        await t.db
          .selectFrom('analytics_sessions')
          .where('entry_path', 'in', pathIds('/midnight'))
          .select(['pageviews'])
          .execute()
      ).map((r) => r.pageviews);
    expect((await post(view('/midnight'), { ip })).statusCode).toBe(202);
    clock.advance(20 * 60_000);
    expect((await post(view('/midnight'), { ip })).statusCode).toBe(202);
    // 00:10: one visit of two pages, under the new day's id.
    expect(await visitsOf()).toEqual([2]);
    const saltDays = async () =>
      (await t.db.selectFrom('analytics_salts').select('day').execute()).map((r) => r.day).sort();
    const today = () => dayOf(toAt(clock.now().getTime()));
    expect(await saltDays()).toEqual([today() - 1, today()]);
    clock.advance(3 * 86_400_000);
    await post(view());
    const left = await saltDays();
    expect(left).toContain(today());
    expect(left.every((d) => d >= today() - 1)).toBe(true);
  });
});

describe('GET /a.js', () => {
  it('serves the tracker under 1.5 KB gzipped, and every public page loads it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/a.js' });
    expect(res.statusCode).toBe(200);
    expect(gzipSync(res.rawPayload, { level: 9 }).length).toBeLessThan(1536);
    for (const url of ['/', '/services', '/get-started', '/privacy']) {
      expect((await t.app.inject({ method: 'GET', url })).body, url).toContain(
        '<script src="/a.js" defer>',
      );
    }
  });
});

describe('group commit (createCollector)', () => {
  /** A writer whose writes end when the test says; it records the batches it was handed. */
  function heldWriter(gathers: boolean) {
    const batches: number[][] = [];
    const release: (() => void)[] = [];
    const writer: BatchWriter = {
      gathers,
      write: (hits) => {
        batches.push(hits.map((h) => h.at));
        return new Promise<Refused>((resolve) => release.push(() => resolve(new Map())));
      },
    };
    return { writer, batches, releaseOne: () => release.shift()?.() };
  }
  const hit = (at: number): Hit => ({
    at,
    visitor: null,
    type: 'pageview',
    path: '/',
    visit: { channel: 0, device: 0, client: 0, strings: {} },
  });
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('holds what arrives during a write for one batch after it, when the writer takes one at a time', async () => {
    const w = heldWriter(false);
    const collector = createCollector(w.writer);
    const first = collector.add(hit(1));
    await turn();
    const later = [collector.add(hit(2)), collector.add(hit(3))];
    await turn();
    expect(w.batches).toEqual([[1]]);
    w.releaseOne();
    await first;
    await turn();
    expect(w.batches).toEqual([[1], [2, 3]]);
    w.releaseOne();
    await Promise.all(later);
  });

  it('hands each turn’s hits at once to a writer that gathers, and drains only when all are written', async () => {
    const w = heldWriter(true);
    const collector = createCollector(w.writer);
    const all = [collector.add(hit(1))];
    await turn();
    all.push(collector.add(hit(2)), collector.add(hit(3)));
    await turn();
    expect(w.batches).toEqual([[1], [2, 3]]);
    let drained = false;
    const draining = collector.drain().then(() => (drained = true));
    w.releaseOne();
    await turn();
    expect(drained).toBe(false);
    w.releaseOne();
    await Promise.all([...all, draining]);
    expect(drained).toBe(true);
  });
});
