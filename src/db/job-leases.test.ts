import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { buildApp } from '../app.js';
import { intervalJob } from '../adapters/interval-job.js';
import { anotherInstance, createTestApp, TestClock, type TestApp } from '../test-support/app.js';

// Two app instances on one database (PostgreSQL when TEST_DATABASE_URL is set) competing for
// the leases of scheduled jobs (decision 027): each job runs on one of them at a time.

type App = Awaited<ReturnType<typeof buildApp>>;

describe('job leases across two app instances on one database', () => {
  const clock = new TestClock();
  let t: TestApp;
  let second: App;
  let instance: Awaited<ReturnType<typeof anotherInstance>>;
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { OUTBOX_POLL_MS: '20' } });
    instance = await anotherInstance(t, { ANALYTICS_WRITER: 'inline' });
    second = instance.app;
  });
  afterAll(async () => {
    await instance.close();
    await t.close();
  });

  it('gives each job to exactly one instance when both ask at once', async () => {
    const [a, b] = [t.app.jobLeases, second.jobLeases];
    expect(a.holder).not.toBe(b.holder);
    for (let i = 0; i < 10; i++) {
      const won = await Promise.all([a.take(`job${i}`, 60_000), b.take(`job${i}`, 60_000)]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it('lets the holder renew, refuses the other until the lease lapses, then hands it over', async () => {
    const [a, b] = [t.app.jobLeases, second.jobLeases];
    expect(await a.take('handover', 60_000)).toBe(true);
    expect(await a.take('handover', 60_000)).toBe(true);
    expect(await b.take('handover', 60_000)).toBe(false);
    clock.advance(59_000);
    expect(await b.take('handover', 60_000)).toBe(false);
    clock.advance(1_000);
    expect(await b.take('handover', 60_000)).toBe(true);
    expect(await a.take('handover', 60_000)).toBe(false);
  });

  it('runs a scheduled job once per interval across both instances', async () => {
    const runs: string[] = [];
    const hour = 3_600_000;
    const jobs = [t.app, second].map((app, n) =>
      intervalJob(async () => void runs.push(`instance ${n}`), {
        intervalMs: hour,
        log: app.log,
        failed: 'test job failed',
        lease: app.jobLeases.every('hourly_test_job', hour),
      }),
    );
    for (let round = 1; round <= 3; round++) {
      // Both instances' timers fire in the same moment, as after a deploy.
      for (const job of jobs) job.start();
      await Promise.all(jobs.map((job) => job.stop()));
      expect(runs).toHaveLength(round);
      clock.advance(hour);
    }
  });

  it('sends from one outbox loop at a time, and the other instance stays ready', async () => {
    t.app.outbox.start();
    second.outbox.start();
    try {
      const holder = await vi.waitFor(
        async () => {
          const row = await t.db
            .selectFrom('job_leases')
            .select('holder')
            .where('job', '=', 'outbox')
            .executeTakeFirstOrThrow();
          return row.holder;
        },
        { timeout: 5000 },
      );
      expect([t.app.jobLeases.holder, second.jobLeases.holder]).toContain(holder);
      // Both loops keep beating, holder or not: neither instance reports a stalled worker.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await t.app.inject('/readyz')).statusCode).toBe(200);
      expect((await second.inject('/readyz')).statusCode).toBe(200);
      const still = await t.db
        .selectFrom('job_leases')
        .select('holder')
        .where('job', '=', 'outbox')
        .executeTakeFirstOrThrow();
      expect(still.holder).toBe(holder);
    } finally {
      await Promise.all([t.app.outbox.stop(), second.outbox.stop()]);
    }
  });
});
