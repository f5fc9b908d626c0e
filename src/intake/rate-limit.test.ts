import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TestClock,
  createTestApp,
  hiddenField,
  type TestApp,
  rowCount,
} from '../test-support/app.js';
import { createIntakeLimits, parseWindow } from './rate-limit.js';

// INTAKE_RATE_LIMIT counts submissions accepted from one network, not a person's attempts to
// fix what the form refused; the page that says "wait" keeps everything they typed.

let t: TestApp;
const clock = new TestClock();
beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: { INTAKE_RATE_LIMIT: '2', INTAKE_RATE_WINDOW: '10 minutes' },
  });
});
afterAll(async () => t.close());

const token = async () =>
  hiddenField((await t.app.inject({ method: 'GET', url: '/get-started' })).body, 'formToken');
const post = (payload: Record<string, string>, ip = '198.51.100.7') =>
  t.app.inject({
    method: 'POST',
    url: '/get-started',
    remoteAddress: ip,
    payload: new URLSearchParams(payload).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

let seq = 0;
const provider = () => ({
  userType: 'provider',
  name: `Jo Park ${++seq}`,
  email: `jo${seq}@park.example`,
  organization: 'Park Pediatrics',
  practiceSize: '2-5',
  city: 'Austin',
  state: 'TX',
  zip: '78701',
  needs: 'Help with "denials" & <coding>',
});

const leadCount = () => rowCount(t.db, 'leads');

describe('the intake rate limit', () => {
  it('does not count attempts the form refused, only accepted submissions, then keeps the form on 429', async () => {
    // Six tries with mistakes: more than the limit of two, and none of them counts.
    for (let i = 0; i < 6; i++) {
      const res = await post({ ...provider(), zip: 'x', formToken: await token() });
      expect(res.statusCode).toBe(400);
    }
    expect((await post({ ...provider(), formToken: await token() })).statusCode).toBe(303);
    // A double click of an accepted form is the same submission: not counted again.
    const same = { ...provider(), formToken: await token() };
    expect((await post(same)).statusCode).toBe(303);
    expect((await post(same)).statusCode).toBe(303);

    const before = await leadCount();
    const third = { ...provider(), formToken: await token() };
    const res = await post(third);
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toContain('Please wait a few minutes');
    // What the person typed is still there, escaped, with the same form token.
    expect(res.body).toContain(`value="${third.name}"`);
    expect(res.body).toContain(`value="${third.email}"`);
    expect(res.body).toMatch(/Help with (&quot;|")denials(&quot;|") &amp; &lt;coding>/);
    expect(hiddenField(res.body, 'formToken')).toBe(third.formToken);
    expect(res.body).toMatch(
      /<input type="radio" name="userType" id="userType-provider" value="provider" checked/,
    );
    expect(await leadCount()).toBe(before);

    // Another network is not affected; after the window the same one may send again.
    expect(
      (await post({ ...provider(), formToken: await token() }, '203.0.113.9')).statusCode,
    ).toBe(303);
    clock.advance(10 * 60_000 + 1);
    expect((await post(third)).statusCode).toBe(303);
  });

  it('answers JSON clients with 429 and a message', async () => {
    const ip = '192.0.2.44';
    for (let i = 0; i < 2; i++) {
      const ok = await t.app.inject({
        method: 'POST',
        url: '/get-started',
        remoteAddress: ip,
        payload: { ...provider(), formToken: await token() },
      });
      expect(ok.statusCode).toBe(201);
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/get-started',
      remoteAddress: ip,
      payload: { ...provider(), formToken: await token() },
    });
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toContain('Please wait');
  });

  it('still bounds a flood of refused posts from one network (ten per accepted submission)', async () => {
    const ip = '192.0.2.99';
    let last = 0;
    for (let i = 0; i < 21; i++) last = (await post({ formToken: 'x' }, ip)).statusCode;
    expect(last).toBe(429);
  });

  it('reads the window as the README says it', () => {
    expect(parseWindow('10 minutes')).toBe(600_000);
    expect(parseWindow('1 hour')).toBe(3_600_000);
    expect(parseWindow('90s')).toBe(90_000);
    expect(parseWindow('5000')).toBe(5000);
    expect(() => parseWindow('soon')).toThrow(/INTAKE_RATE_WINDOW/);
  });
});

// Several instances share the counts through Redis (REDIS_URL); run with TEST_REDIS_URL set.
describe.skipIf(!process.env.TEST_REDIS_URL)('the intake limits shared through Redis', () => {
  it('counts accepted submissions across instances, not refused posts, and keeps no address', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    const secret = `test-${Date.now()}-${Math.random()}`;
    const make = () =>
      createIntakeLimits({ secret, clock: new TestClock(), max: 2, window: '1 minute', redis });
    try {
      const [a, b] = [make(), make()];
      for (let i = 0; i < 5; i++)
        expect(await a.check('198.51.100.20')).toEqual({ limited: false });
      await a.accepted('198.51.100.20');
      await b.accepted('198.51.100.20');
      const limited = await b.check('198.51.100.20');
      expect(limited.limited).toBe(true);
      if (limited.limited) expect(limited.retryAfterS).toBeLessThanOrEqual(60);
      expect(await a.check('198.51.100.21')).toEqual({ limited: false });
      const keys = await redis.keys('starspmb:intake:*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain('198.51.100');
      for (const k of keys) expect(await redis.pttl(k)).toBeGreaterThan(0);
    } finally {
      const keys = await redis.keys('starspmb:intake:*');
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });
});
