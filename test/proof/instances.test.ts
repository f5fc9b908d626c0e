import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  anotherInstance,
  createTestApp,
  hiddenField,
  rowCount,
  TestClock,
  testDbKind,
  type TestApp,
} from '../../src/test-support/app.js';
import { staffPassword, staffSessions } from '../../src/test-support/staff.js';
import { providerIntake } from '../../src/test-support/intake.js';
import { registerRelay } from '../../src/privacy-center/testing.js';
import { startSmtp, type SmtpPeer } from '../../src/test-support/smtp.js';

// Two app instances, as behind a load balancer: one PostgreSQL database, the machine's real Redis
// (REDIS_URL), real HTTP servers. Each request goes to either; nothing one instance keeps in memory
// may be something the other needs (issue 17, "More than one machine"; docs/deploy.md).

const machineRedis =
  process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A logical database of its own: the intake limit test clears `starspmb:intake:*` in database 0.
const redisUrl = Object.assign(new URL(machineRedis), { pathname: '/3' }).toString();

/** Whether a Redis answers there: a developer's machine may have none. */
async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const onPostgres = testDbKind === 'postgres';
const haveRedis = onPostgres && (await redisAnswers(redisUrl));
if (process.env.CI === 'true' && onPostgres && !haveRedis)
  throw new Error(
    `CI requires Redis at ${redisUrl} for the two-instance test (start redis-server)`,
  );
if (!onPostgres)
  console.log(
    '[starspmb tests] two-instance test SKIPPED: it needs PostgreSQL (TEST_DATABASE_URL).',
  );
else if (!haveRedis)
  console.log(
    `[starspmb tests] two-instance test SKIPPED: no Redis at ${redisUrl} (set TEST_REDIS_URL).`,
  );

// Addresses of this run only (sent as X-Forwarded-For): parallel runs on one Redis never share a
// counter, and the intake counters are keyed with this run's own secret as well.
const net = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
let host = 0;
const newIp = () => `${net}.${++host}`;
const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

describe.skipIf(!haveRedis)('two instances on one PostgreSQL and one Redis', () => {
  const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
  let smtp: SmtpPeer;
  let t: TestApp;
  let second: { app: FastifyInstance; close(): Promise<void> };
  let bases: [string, string];

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({
      clock,
      secret: `instances-${randomBytes(16).toString('hex')}`,
      env: {
        REDIS_URL: redisUrl,
        TRUST_PROXY: 'true',
        SMTP_URL: smtp.url,
        NOTIFY_EMAIL: 'leads@starspmb.test',
        INTAKE_RATE_LIMIT: '2',
        LOGIN_RATE_LIMIT: '10',
        OUTBOX_POLL_MS: '20',
      },
    });
    await registerRelay(t);
    second = await anotherInstance(t);
    const listen = async (app: FastifyInstance) => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    };
    bases = [await listen(t.app), await listen(second.app)];
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    await smtp?.close();
  });

  /** A browser at one address: its cookies, sent to whichever instance `n` names. */
  function browser(ip = newIp(), ua = chrome) {
    const jar = new Map<string, string>();
    const headers = (extra: Record<string, string> = {}) => ({
      'x-forwarded-for': ip,
      'user-agent': ua,
      'sec-fetch-site': 'same-origin',
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      ...extra,
    });
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
      return res;
    };
    return {
      ip,
      jar,
      get: async (n: 0 | 1, url: string) =>
        keep(await fetch(bases[n] + url, { headers: headers(), redirect: 'manual' })),
      post: async (n: 0 | 1, url: string, body: Record<string, string>, type = 'form') =>
        keep(
          await fetch(bases[n] + url, {
            method: 'POST',
            redirect: 'manual',
            headers: headers({
              'content-type':
                type === 'form' ? 'application/x-www-form-urlencoded' : 'text/plain;charset=UTF-8',
            }),
            body: type === 'form' ? new URLSearchParams(body).toString() : JSON.stringify(body),
          }),
        ),
    };
  }
  type Browser = ReturnType<typeof browser>;

  /** Fetches a form from one instance and posts it to the other, as a balancer may send them. */
  async function fill(b: Browser, from: 0 | 1, page: string, action: string, fields: object) {
    const html = await (await b.get(from, page)).text();
    // Whichever hidden tokens the page carries (form token, CSRF token) go back with the form.
    const tokens = Object.fromEntries(
      ['formToken', '_csrf']
        .filter((name) => html.includes(`name="${name}"`))
        .map((name) => [name, hiddenField(html, name)]),
    );
    return b.post(from === 0 ? 1 : 0, action, { ...tokens, ...(fields as Record<string, string>) });
  }

  const outboxDrained = () =>
    vi.waitFor(
      async () => {
        const pending = await t.db
          .selectFrom('outbox')
          .select('id')
          .where('sent_at', 'is', null)
          .execute();
        expect(pending).toHaveLength(0);
      },
      { timeout: 15_000 },
    );

  it('stores each intake submission once, whichever instance takes it, and shares its rate limit', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await fill(browser(), (i % 2) as 0 | 1, '/get-started', '/get-started', {
        ...providerIntake,
        email: `lead${i}@example.com`,
      });
      expect(res.status).toBe(303);
    }
    // A double click that the balancer splits: the same form token on both instances.
    const b = browser();
    const html = await (await b.get(0, '/get-started')).text();
    const form = {
      ...providerIntake,
      email: 'twice@example.com',
      formToken: hiddenField(html, 'formToken'),
    };
    const both = await Promise.all([
      b.post(0, '/get-started', form),
      b.post(1, '/get-started', form),
    ]);
    expect(both.map((r) => r.status)).toEqual([303, 303]);
    expect(await rowCount(t.db, 'leads')).toBe(9);
    expect(await rowCount(t.db, 'lead_submissions')).toBe(9);

    // INTAKE_RATE_LIMIT=2 accepted submissions per network, counted across both instances.
    const flood = browser();
    for (const n of [0, 1] as const) {
      const res = await fill(flood, n, '/get-started', '/get-started', {
        ...providerIntake,
        email: `flood${n}@example.com`,
      });
      expect(res.status).toBe(303);
    }
    const third = await fill(flood, 1, '/get-started', '/get-started', {
      ...providerIntake,
      email: 'flood2@example.com',
    });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rowCount(t.db, 'leads')).toBe(11);
  });

  it('counts every analytics event once and keeps one visit per visitor across instances', async () => {
    const visitors = [browser(), browser(), browser()];
    const before = await rowCount(t.db, 'analytics_events');
    const paths = ['/', '/services', '/about', '/get-started'];
    for (let i = 0; i < 12; i++) {
      const v = visitors[i % 3]!;
      // Each visitor's pages alternate between the instances, as without sticky sessions.
      const res = await v.post(
        ((i >> 1) % 2) as 0 | 1,
        '/api/event',
        { type: 'pageview', url: `http://localhost:3000${paths[i % 4]}` },
        'json',
      );
      expect(res.status).toBeLessThan(300);
    }
    expect((await rowCount(t.db, 'analytics_events')) - before).toBe(12);
    const visits = await t.db
      .selectFrom('analytics_sessions')
      .select(['visitor', 'pageviews'])
      .where('pageviews', '>', 0)
      .execute();
    expect(visits).toHaveLength(3);
    expect(visits.map((v) => v.pageviews)).toEqual([4, 4, 4]);
  });

  it('shares the login throttle and the per-address login limit', async () => {
    const email = 'sales-two@example.com';
    await t.app.accounts.createStaffUser({ email, password: staffPassword, role: 'sales' });
    // Five wrong passwords from one network, split between the instances, throttle that network…
    const guesser = browser();
    for (let i = 0; i < 5; i++) {
      const res = await fill(guesser, (i % 2) as 0 | 1, '/console/login', '/console/login', {
        email,
        password: `wrong-${i}-password`,
      });
      expect(res.status).toBe(400);
    }
    const refused = await fill(guesser, 1, '/console/login', '/console/login', {
      email,
      password: staffPassword,
    });
    expect(refused.status).toBe(400);
    // …and not the owner elsewhere, whose session then works on the other instance.
    const owner = browser();
    const signedIn = await fill(owner, 0, '/console/login', '/console/login', {
      email,
      password: staffPassword,
    });
    expect(signedIn.status).toBe(303);
    expect((await owner.get(0, '/console/leads')).status).toBe(200);

    // LOGIN_RATE_LIMIT=10 posts per address in 15 minutes, whichever instance they reach.
    const spray = browser();
    for (let i = 0; i < 10; i++) {
      const res = await fill(spray, (i % 2) as 0 | 1, '/console/login', '/console/login', {
        email: `nobody${i}@example.com`,
        password: 'not-the-password',
      });
      expect(res.status).toBe(400);
    }
    for (const n of [0, 1] as const) {
      const res = await fill(spray, n, '/console/login', '/console/login', {
        email,
        password: staffPassword,
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('stores privacy requests from both instances and shares their rate limit', async () => {
    const before = await rowCount(t.db, 'privacy_requests');
    const asker = browser();
    for (const n of [0, 1] as const) {
      const res = await fill(asker, n, '/privacy-center', '/privacy-center/request', {
        kind: 'access',
        email: `lead${n}@example.com`,
      });
      expect(res.status).toBe(303);
    }
    const third = await fill(asker, 0, '/privacy-center', '/privacy-center/request', {
      kind: 'access',
      email: 'lead2@example.com',
    });
    expect(third.status).toBe(429);
    expect(await rowCount(t.db, 'privacy_requests')).toBe(before + 2);
  });

  it('runs each scheduled job on one instance, sends each mail once, and both dashboards agree', async () => {
    // Mail queued so far is being sent already (each commit nudges its instance's sender): let it
    // go before the clock jumps, or a send still in flight would outlive its row's lease.
    await outboxDrained();
    // Yesterday's visits are compacted into segments by whichever instance holds the lease.
    clock.advance(24 * 3_600_000);
    const apps = [t.app, second.app];
    for (const app of apps) {
      app.outbox.start();
      app.privacyJobs.start();
      app.rollupCompaction.start();
      app.retention.scheduler.start(0);
    }
    // Both instances warmed their dashboards (ready), then compaction started on both.
    for (const base of bases)
      await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200), {
        timeout: 10_000,
      });
    await outboxDrained();
    // Both retention timers (delay 0) have fired by now; stopping waits for their runs.
    await new Promise((r) => setTimeout(r, 10));
    for (const app of apps) {
      await app.retention.scheduler.stop();
      await app.privacyJobs.stop();
      await app.rollupCompaction.stop();
      await app.outbox.stop();
    }
    const runs = await t.db.selectFrom('retention_runs').select('trigger').execute();
    expect(runs).toEqual([{ trigger: 'scheduled' }]);
    const leases = await t.db.selectFrom('job_leases').select(['job', 'holder']).execute();
    const holders: string[] = [t.app.jobLeases.holder, second.app.jobLeases.holder];
    for (const job of ['outbox', 'retention', 'analytics_compaction', 'privacy_reminders'])
      expect(holders).toContain(leases.find((l) => l.job === job)?.holder);

    // Every queued mail reached the relay once: no message sent by both instances.
    const sent = await t.db.selectFrom('outbox').select('id').execute();
    const ids = smtp.received.map((m) => /^Message-ID: *(.+)$/im.exec(m.raw)?.[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(smtp.received).toHaveLength(sent.length);
    expect(smtp.received.filter((m) => m.to.includes('leads@starspmb.test'))).toHaveLength(11);

    // The same answer from both instances: yesterday's visits, read from the compacted segments.
    const marketing = (await staffSessions(t, ['marketing'])).marketing!.jar;
    const panels = await Promise.all(
      bases.map(async (base) => {
        const res = await fetch(`${base}/console/analytics?range=7d`, {
          headers: { cookie: `sid=${marketing.sid}`, 'x-forwarded-for': newIp() },
        });
        expect(res.status).toBe(200);
        return (await res.text())
          .replace(/name="_csrf" value="[^"]*"/g, '')
          .replace(/nonce="[^"]*"/g, '');
      }),
    );
    expect(panels[0]).toBe(panels[1]);
    expect(panels[0]).toMatch(/>12</);
  });
});
