import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enqueue } from '../outbox/repository.js';
import { createTestApp, freshDatabase, TestClock, type TestApp } from '../test-support/app.js';
import { heartbeatCheck, opsRoutes, warmUp } from './ops.js';

// Probes and metrics (decision 027): every reason /readyz gives, and what /metrics shows to whom.

const notReady = (res: { statusCode: number; json(): unknown }, reason: string) => {
  expect(res.statusCode).toBe(503);
  expect(res.json()).toMatchObject({ status: 'unavailable', reason, detail: expect.any(String) });
};

describe('/readyz', () => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    // The worker's own timer waits an hour between runs: only this test moves its heartbeat.
    t = await createTestApp({ clock, env: { OUTBOX_POLL_MS: '3600000' } });
  });
  afterAll(async () => t.close());

  it('is ready with the database there and its migrations run', async () => {
    const res = await t.app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is not ready while a migration this version knows has not run', async () => {
    const last = await sql<{
      name: string;
      timestamp: string;
    }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(t.db);
    const row = last.rows[0]!;
    await sql`delete from kysely_migration where name = ${row.name}`.execute(t.db);
    try {
      const res = await t.app.inject('/readyz');
      notReady(res, 'migrations_pending');
      expect(res.json<{ detail: string }>().detail).toContain(row.name);
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(
        t.db,
      );
    }
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('is not ready when the started outbox worker stops beating, and ready once it runs', async () => {
    t.app.outbox.start();
    await t.app.outbox.runOnce();
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
    clock.advance(6 * 60_000);
    notReady(await t.app.inject('/readyz'), 'outbox_worker_stalled');
    await t.app.outbox.runOnce();
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('becomes ready once the dashboard cache warmed after the compaction job started', async () => {
    t.app.rollupCompaction.start();
    await vi.waitFor(async () => expect((await t.app.inject('/readyz')).statusCode).toBe(200), {
      timeout: 10_000,
    });
  });
});

describe('/readyz and /healthz on their own', () => {
  it('names a dashboard cache still warming, and an unreachable database; /healthz stays up', async () => {
    const database = await freshDatabase();
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    let finish: (v?: unknown) => void = () => undefined;
    const cache = warmUp(() => new Promise((resolve) => (finish = resolve)), console);
    const stalled = heartbeatCheck(() => new Date(0), { now: () => new Date(1000) }, 5000);
    await app.register(opsRoutes, {
      db: database.db,
      site: {} as never,
      checks: [cache.check, stalled],
    });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    const warming = cache.start();
    notReady(await app.inject('/readyz'), 'dashboard_cache_cold');
    finish();
    await warming;
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    await database.drop();
    notReady(await app.inject('/readyz'), 'database_unreachable');
    const health = await app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    await app.close();
  });
});

/** Prometheus text format 0.0.4, line by line: help, type, or a sample with its labels. */
function parseMetrics(
  text: string,
): { name: string; labels: Record<string, string>; value: number }[] {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/g;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)( [0-9]+)?$/.exec(
        line,
      );
    if (!m) throw new Error(`not Prometheus text format: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const rest = body.replace(label, (_all, k: string, v: string) => {
      labels[k] = v;
      return '';
    });
    if (rest.replace(/,/g, '') !== '') throw new Error(`bad labels: ${line}`);
    samples.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return samples;
}

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ANALYTICS_WRITER: 'inline' } });
  });
  afterAll(async () => t.close());

  const scrape = async () => {
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    return { text: res.body, samples: parseMetrics(res.body) };
  };
  const value = (samples: ReturnType<typeof parseMetrics>, name: string, labels = {}) =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((a, s) => a + s.value, 0);

  it('labels requests by route pattern, never by the address: no secret reaches a label', async () => {
    const secret = 'Zq8secretTOKENvalue0123456789abcd';
    await t.app.inject(`/privacy-center/r/${secret}`);
    await t.app.inject(`/privacy-center/links/${secret}`);
    await t.app.inject(`/console/leads/${secret}`);
    await t.app.inject('/healthz');
    const { text, samples } = await scrape();
    expect(text).not.toContain(secret);
    const routes = new Set(
      samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route),
    );
    expect(routes).toContain('/privacy-center/r/:token');
    expect(routes).toContain('/console/leads/:id');
    expect(routes).toContain('unmatched');
    expect(value(samples, 'http_requests_total', { route: '/healthz', status: '200' })).toBe(1);
    expect(value(samples, 'http_request_duration_seconds_count', { route: '/healthz' })).toBe(1);
  });

  it('counts analytics events, failed logins, retention runs and the outbox backlog', async () => {
    const before = (await scrape()).samples;
    const event = await t.app.inject({
      method: 'POST',
      url: '/api/event',
      remoteAddress: '192.0.2.10',
      headers: {
        'content-type': 'text/plain;charset=UTF-8',
        'user-agent':
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      },
      payload: JSON.stringify({ type: 'pageview', url: 'http://localhost:3000/services' }),
    });
    expect(event.statusCode).toBe(202);
    await expect(t.app.accounts.login('nobody@example.test', 'wrong password!')).rejects.toThrow();
    await t.app.retention.runner.run({ trigger: 'scheduled', dryRun: true });
    await t.db
      .transaction()
      .execute((trx) =>
        enqueue(
          trx,
          'lead_notification',
          { leadId: 'x' },
          new Date(t.clock.now().getTime() - 90_000),
        ),
      );
    const after = (await scrape()).samples;
    const grew = (name: string, labels = {}) =>
      value(after, name, labels) - value(before, name, labels);
    expect(grew('analytics_events_ingested_total')).toBe(1);
    expect(grew('login_failures_total')).toBe(1);
    expect(grew('retention_runs_total', { outcome: 'done' })).toBe(1);
    expect(value(after, 'outbox_depth')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(90);
  });

  it('refuses other machines, and requests a proxy forwarded, without a token', async () => {
    const far = await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(far.statusCode).toBe(403);
    expect(far.body).toContain('METRICS_TOKEN');
    expect(far.body).not.toContain('http_requests_total');
    const proxied = await t.app.inject({
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(403);
    // A bearer token means nothing while none is configured.
    const guessed = await t.app.inject({
      url: '/metrics',
      remoteAddress: '203.0.113.9',
      headers: { authorization: 'Bearer anything-at-all' },
    });
    expect(guessed.statusCode).toBe(403);
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  const token = 'k7Qm2v9XpL4wR8sT1yB6nC3dF5gH0jZe';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token, TRUST_PROXY: 'true' } });
  });
  afterAll(async () => t.close());

  const from = (remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url: '/metrics', remoteAddress, headers });

  it('serves another machine that sends the token, and refuses a wrong or missing one', async () => {
    const ok = await from('203.0.113.9', { authorization: `Bearer ${token}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_requests_total');
    const wrong = await from('203.0.113.9', { authorization: `Bearer ${token.slice(0, -1)}x` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('Bearer');
    expect((await from('203.0.113.9')).statusCode).toBe(401);
    // A forged X-Forwarded-For naming localhost opens nothing.
    expect((await from('203.0.113.9', { 'x-forwarded-for': '127.0.0.1' })).statusCode).toBe(401);
  });
});

describe('/healthz over HTTP', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => t.close());

  it('answers before the framework as the route answers in process, security headers and all', async () => {
    const res = await fetch(`${base}/healthz`);
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    // A supervisor's probes do not count as the site's traffic.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).not.toContain('route="/healthz"');
    const inProcess = await t.app.inject('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(inProcess.json());
    for (const name of [
      'content-type',
      'cache-control',
      'content-security-policy',
      'permissions-policy',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
    ])
      expect(res.headers.get(name), name).toBe(String(inProcess.headers[name]));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    // Anything else still goes through the app: a query string, another method.
    expect((await fetch(`${base}/healthz?x=1`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(404);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('route="/healthz"');
  });
});
