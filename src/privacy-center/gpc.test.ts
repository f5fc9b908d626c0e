import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyVersions } from '../privacy/policy-versions.js';
import { dataMap } from '../privacy/data-map.js';
import { countRows } from '../retention/types.js';
import { createTestApp, freshDatabase, TestClock, type TestApp } from '../test-support/app.js';
import { createGpcDaily } from './gpc-daily.js';

// Global Privacy Control is honoured without a database write per request, and without
// cookies on the collector, assets, probes, 404s and error pages.

/** An advertising opt-in under the current policy: what a GPC signal overrides on a page. */
const OPTED_IN = `spmb_choices=a:g.d:g.v:${policyVersions.at(-1)!.version.replace('.', '_')}`;
const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

const clock = new TestClock(new Date('2026-12-02T10:00:00.000Z'));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

/** Rows in every table the data map knows: what a request may have written anywhere. */
async function allRows(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(dataMap) as (keyof typeof dataMap)[]) {
    counts[table] = await countRows(t.db.selectFrom(table));
  }
  return counts;
}

async function signalsOn(day: string): Promise<number> {
  const row = await t.db
    .selectFrom('gpc_daily')
    .select('signals')
    .where('day', '=', day)
    .executeTakeFirst();
  return Number(row?.signals ?? 0);
}

describe('Global Privacy Control on every request', () => {
  it('writes no row per request to probes and 404s, and counts them for the day', async () => {
    await t.app.gpcDaily.flush();
    const before = await allRows();
    const counted = await signalsOn('2026-12-02');
    for (let n = 0; n < 200; n++) {
      const gpc = { 'sec-gpc': '1', 'user-agent': UA };
      const probe = await t.app.inject({ url: `/healthz?x=${n}`, headers: gpc });
      expect(probe.statusCode).toBe(200);
      const missing = await t.app.inject({ url: `/no-such-page-${n}`, headers: gpc });
      expect(missing.statusCode).toBe(404);
      clock.advance(100);
    }
    // 40 seconds: nothing flushed yet, so nothing written at all.
    expect(await allRows()).toEqual(before);
    await t.app.gpcDaily.flush();
    expect(await signalsOn('2026-12-02')).toBe(counted + 400);
    expect(await allRows()).toEqual({
      ...before,
      gpc_daily: await countRows(t.db.selectFrom('gpc_daily')),
    });
  });

  it('sets no cookie on the collector, assets, probes, 404s and error pages, but applies on a page', async () => {
    const headers = { 'sec-gpc': '1', 'user-agent': UA, cookie: OPTED_IN };
    const beacon = await t.app.inject({
      method: 'POST',
      url: '/api/event',
      headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
      payload: JSON.stringify({ type: 'pageview', url: 'http://localhost:3000/services' }),
    });
    expect(beacon.statusCode).toBe(202);
    const answers = [
      beacon,
      await t.app.inject({ url: '/a.js', headers }),
      await t.app.inject({ url: '/static/site.css?v=2', headers }),
      await t.app.inject({ url: '/healthz', headers }),
      await t.app.inject({ url: '/readyz?probe=1', headers }),
      await t.app.inject({ url: '/nowhere', headers }),
      // Error pages: a malformed beacon and an oversized one.
      await t.app.inject({ method: 'POST', url: '/api/event', headers, payload: '{no' }),
      await t.app.inject({ method: 'POST', url: '/api/event', headers, payload: 'x'.repeat(5000) }),
    ];
    for (const res of answers) {
      expect(
        res.headers['set-cookie'],
        `${res.statusCode} ${res.body.slice(0, 40)}`,
      ).toBeUndefined();
    }
    // A page is where the signal is applied to the browser's own choices.
    const page = await t.app.inject({ url: '/services', headers });
    expect(page.cookies.map((c) => [c.name, c.value])).toEqual(
      expect.arrayContaining([
        ['spmb_gpc', '1'],
        ['spmb_choices', expect.stringContaining('d:d')],
      ]),
    );
  });
});

describe('the daily count (createGpcDaily)', () => {
  it('adds each instance’s count with one upsert per flush, at most once a minute', async () => {
    const database = await freshDatabase();
    try {
      const own = new TestClock(new Date('2026-12-03T23:59:30.000Z'));
      const deps = {
        db: database.db,
        clock: own,
        onError: (err: unknown) => {
          throw err;
        },
      };
      const [a, b] = [createGpcDaily(deps), createGpcDaily(deps)];
      a.record();
      a.record();
      b.record();
      const stored = async () =>
        await database.db
          .selectFrom('gpc_daily')
          .select(['day', 'signals'])
          .orderBy('day')
          .execute();
      expect(await stored()).toEqual([]);
      // A minute on, the next signal (now the next day's) starts a flush of both days.
      own.advance(60_000);
      a.record();
      await a.flush();
      await b.flush();
      expect((await stored()).map((r) => [r.day, Number(r.signals)])).toEqual([
        ['2026-12-03', 3],
        ['2026-12-04', 1],
      ]);
    } finally {
      await database.drop();
    }
  });
});
