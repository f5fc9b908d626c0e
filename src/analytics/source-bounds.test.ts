import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows } from '../retention/types.js';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';

// One client must not flood the collector or invent visitors by the hundred: events and new
// visitors per source and minute are bounded (configurable), and a page elsewhere is refused
// whatever Host header comes with it.

const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
// The start of a minute, so a test's events all fall in it.
const clock = new TestClock(new Date('2026-12-02T10:00:00.000Z'));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: { ANALYTICS_EVENTS_PER_MINUTE: '200', ANALYTICS_NEW_VISITORS_PER_MINUTE: '20' },
  });
});
afterAll(async () => t.close());

function post(
  ip: string,
  opts: { ua?: string; host?: string; url?: string; cookie?: string } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/event',
    remoteAddress: ip,
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      'user-agent': opts.ua ?? UA,
      ...(opts.host ? { host: opts.host } : {}),
    },
    payload: JSON.stringify({
      type: 'pageview',
      url: opts.url ?? 'http://localhost:3000/services',
    }),
  });
}
const events = () => countRows(t.db.selectFrom('analytics_events'));
/** To the start of the next minute. */
const nextMinute = () => clock.advance(60_000 - (clock.now().getTime() % 60_000));

describe('per-source bounds on POST /api/event', () => {
  it('answers the 201st event of a minute from one source with 429, leaves others alone, and lets it in the next minute', async () => {
    nextMinute();
    // Sent together, so their writes share commits (a busy machine took over 30 s one by one).
    const first = await Promise.all(Array.from({ length: 200 }, () => post('203.0.113.1')));
    expect(first.map((r) => r.statusCode)).toEqual(Array(200).fill(202));
    const before = await events();
    const over = await post('203.0.113.1');
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toBe('60');
    expect(over.body).toMatch(/Too many events from your address this minute/);
    expect(await events()).toBe(before);
    expect((await post('203.0.113.2')).statusCode).toBe(202);
    clock.advance(59_000);
    expect((await post('203.0.113.1')).headers['retry-after']).toBe('1');
    clock.advance(1_000);
    expect((await post('203.0.113.1')).statusCode).toBe(202);
  }, 120_000);

  it('refuses a source’s 21st new visitor in a minute, still counts its known ones, and lets it in the next minute', async () => {
    nextMinute();
    const as = (n: number) => ({ ua: `${UA} Bench/${n}` });
    for (let n = 0; n < 20; n++) expect((await post('203.0.113.9', as(n))).statusCode).toBe(202);
    const before = await events();
    const invented = await post('203.0.113.9', as(20));
    expect(invented.statusCode).toBe(429);
    expect(invented.body).toMatch(/Too many new visitors from your address this minute/);
    expect(invented.headers['retry-after']).toBe('60');
    expect(await events()).toBe(before);
    // A visitor already seen this minute is no new one; another source is not affected.
    expect((await post('203.0.113.9', as(3))).statusCode).toBe(202);
    expect((await post('203.0.113.10', as(20))).statusCode).toBe(202);
    nextMinute();
    expect((await post('203.0.113.9', as(20))).statusCode).toBe(202);
  });

  it('refuses a page of another site even when the Host header names it', async () => {
    const before = await events();
    for (const [host, url] of [
      ['evil.example', 'http://evil.example/x'],
      ['localhost:3000', 'https://localhost:3000/x'],
      ['localhost:4000', 'http://localhost:4000/x'],
    ] as const) {
      const res = await post('203.0.113.20', { host, url });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toMatch(/url: must be a page of this site, http:\/\/localhost:3000/);
    }
    expect(await events()).toBe(before);
    expect((await post('203.0.113.20', { host: 'evil.example' })).statusCode).toBe(202);
  });
});
