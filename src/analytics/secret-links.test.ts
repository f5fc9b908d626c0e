import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { getAs, staffJar, type Jar } from '../test-support/staff.js';

// A Privacy Center link opens a person's report to whoever holds it: neither the tracker nor the
// collector may keep it, so the dashboard, its realtime list and its CSV never show one.

const SECRET = 'Zq3vN8xWm2Lk7Pa9Rt5Yb1Cd4Ef6Gh0Ij2Kl4Mn6Op8';
const SETUP = 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3Ab4Cd';
const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

let t: TestApp;
let jar: Jar;
beforeAll(async () => {
  t = await createTestApp({ clock: new TestClock() });
  jar = await staffJar(t, 'marketing');
});
afterAll(async () => t.close());

const beacon = (body: object) =>
  t.app.inject({
    method: 'POST',
    url: '/api/event',
    remoteAddress: '192.0.2.44',
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': UA },
    payload: JSON.stringify(body),
  });

describe('the collector', () => {
  it('stores a secret link cut before its token: not in pages, exits, realtime or CSV', async () => {
    const page = `http://localhost:3000/privacy-center/r/${SECRET}`;
    const posts = [
      { type: 'pageview', url: '/services' },
      { type: 'pageview', url: `/privacy-center/r/${SECRET}`, referrer: `/setup/${SETUP}` },
      { type: 'form_start', url: `/privacy-center/r/${SECRET}` },
      { type: 'pageview', url: `/privacy-center/r/${SECRET}/report.json` },
      { type: 'pageview', url: `/setup/${SETUP}?token=${SECRET}` },
    ].map(({ url, referrer, ...b }) => ({
      ...b,
      url: `http://localhost:3000${url}`,
      ...(referrer ? { referrer: `http://localhost:3000${referrer}` } : { referrer: page }),
    }));
    for (const body of posts) expect((await beacon(body)).statusCode).toBe(202);

    const dict = await t.db.selectFrom('analytics_dict').select('value').execute();
    const values = dict.map((d) => d.value);
    expect(values).toContain('/privacy-center/r/…');
    expect(values).toContain('/setup/…');
    const dashboard = await getAs(t, jar, '/console/analytics?range=today');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('/privacy-center/r/…');
    const csvs = await Promise.all(
      ['page', 'entry_page', 'exit_page'].map((p) =>
        getAs(t, jar, `/console/analytics/export.csv?panel=${p}&range=today`),
      ),
    );
    expect(csvs.map((c) => c.statusCode)).toEqual([200, 200, 200]);
    expect(csvs[2]!.body).toContain('/setup/…');
    for (const text of [values.join('\n'), dashboard.body, ...csvs.map((c) => c.body)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SETUP);
    }
  });
});

/** Runs the served tracker on a page at `path`, and returns the beacons it sent. */
function runTracker(source: string, path: string): string[] {
  const sent: string[] = [];
  const listen = () => undefined;
  const window = {
    location: {
      pathname: path,
      search: '',
      origin: 'http://localhost:3000',
      host: 'localhost:3000',
    },
    history: { pushState: () => undefined },
    innerWidth: 1200,
    addEventListener: listen,
  };
  const navigator = { sendBeacon: (_url: string, body: string) => (sent.push(body), true) };
  vm.runInNewContext(source, {
    window,
    document: { referrer: '', addEventListener: listen },
    navigator,
  });
  return sent;
}

describe('the tracker', () => {
  it('sends nothing from a page whose address is a secret link', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/a.js' });
    expect(res.statusCode).toBe(200);
    expect(runTracker(res.body, '/services')).toHaveLength(1);
    expect(runTracker(res.body, `/privacy-center/r/${SECRET}`)).toEqual([]);
    expect(runTracker(res.body, `/setup/${SETUP}`)).toEqual([]);
  });
});
