import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the scrape asks the database for, once per scrape (never per request). */
export interface OutboxBacklog {
  /** Messages not yet sent. */
  depth: number;
  /** Seconds since the oldest unsent message was queued (0 when none waits). */
  oldestAgeSeconds: number;
}

/**
 * Prometheus metrics (decision 027). Requests are labelled by the route's pattern
 * (`/console/leads/:id`), never the address asked for, so no id, token or secret link reaches a
 * label; a request no route matched is `unmatched`. One onResponse hook does the per-request
 * work: two label lookups in memory, using the elapsed time Fastify already keeps.
 */
export function createMetrics(opts: { outboxBacklog: () => Promise<OutboxBacklog> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const eventsIngested = new Counter({
    name: 'analytics_events_ingested_total',
    help: 'Analytics events stored (acknowledged after their batch committed)',
    registers: [registry],
  });
  const retentionRuns = new Counter({
    name: 'retention_runs_total',
    help: 'Retention runs by outcome: done, busy (another run held the lock) or failed',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const failedLogins = new Counter({
    name: 'login_failures_total',
    help: 'Refused staff sign-ins (wrong password, unknown account, throttled or disabled)',
    registers: [registry],
  });
  let backlog: Promise<OutboxBacklog> | undefined;
  // One query per scrape serves both gauges.
  const readBacklog = () => (backlog ??= opts.outboxBacklog().finally(() => (backlog = undefined)));
  new Gauge({
    name: 'outbox_depth',
    help: 'Messages in the outbox not yet sent',
    registers: [registry],
    async collect() {
      this.set((await readBacklog()).depth);
    },
  });
  new Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest unsent outbox message, in seconds (0 when none waits)',
    registers: [registry],
    async collect() {
      this.set((await readBacklog()).oldestAgeSeconds);
    },
  });

  function onResponse(request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    requests.inc({ method, route, status: reply.statusCode });
    latency.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  }

  return {
    registry,
    onResponse,
    eventIngested: () => eventsIngested.inc(),
    retentionRun: (outcome: 'done' | 'busy' | 'failed') => retentionRuns.inc({ outcome }),
    loginFailed: () => failedLogins.inc(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string, expected: string): boolean {
  // Hashing first makes both sides the same length, so timing tells nothing about either.
  return timingSafeEqual(digest(presented), digest(expected));
}

const loopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/**
 * Who may read /metrics: a request from this machine that no proxy forwarded (a proxy on the
 * same host would make every visitor look local), or anyone with `Authorization: Bearer
 * <METRICS_TOKEN>` when that variable is set.
 */
export function metricsAccess(
  request: FastifyRequest,
  token: string | undefined,
): 'allowed' | 'no-token' | 'bad-token' {
  const auth = request.headers.authorization;
  if (token && auth?.startsWith('Bearer ')) {
    return tokenMatches(auth.slice(7).trim(), token) ? 'allowed' : 'bad-token';
  }
  const forwarded = request.headers['x-forwarded-for'] ?? request.headers.forwarded;
  if (loopback(request.socket.remoteAddress) && !forwarded) return 'allowed';
  return token ? 'bad-token' : 'no-token';
}

/** GET /metrics, protected as `metricsAccess` says; the counting hook is added by the caller. */
export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined) {
  app.get('/metrics', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const access = metricsAccess(request, token);
    if (access === 'no-token')
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send(
          'Metrics are served to this machine only. Scrape from localhost, or set METRICS_TOKEN and send it as a bearer token.\n',
        );
    if (access === 'bad-token')
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('text/plain; charset=utf-8')
        .send('Send the METRICS_TOKEN as "Authorization: Bearer <token>".\n');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
