import type { FastifyInstance, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { secretPrefixes } from '../privacy/secret-paths.js';
import { invalid } from '../web/errors.js';
import { findUnstorableParam, unstorableMessage } from '../web/storable-text.js';
import type { EventType } from './codes.js';
import { CLIENT_COOKIE, VISITOR_COOKIE, VISITOR_COOKIE_MAX_AGE_S } from './identity.js';
import type { Analytics, TrackInput } from './service.js';

const MAX_BODY = 4096;
const text = (max: number) => z.string().trim().min(1).max(max);

// The tracker's contract (README "Analytics"). Names and props are labels chosen by our own
// pages; form field values are never sent.
const eventBody = z
  .object({
    // No intake_submitted: the server records that step itself when it stores a submission,
    // so a crafted request cannot inflate the funnel's last step.
    type: z.enum(['pageview', 'event', 'outbound', 'form_start', 'form_submit']),
    // Parsed once, here: enrichment reads the URL object.
    url: z
      .string()
      .max(2048)
      .transform((value, ctx) => {
        const url = httpUrl(value);
        if (url) return url;
        ctx.addIssue({
          code: 'custom',
          message: 'url must be the absolute http(s) URL of the page',
        });
        return z.NEVER;
      }),
    referrer: z.string().max(2048).optional(),
    name: text(64).optional(),
    props: z
      .record(text(40), z.union([z.string().max(100), z.number().finite()]))
      .refine((p) => Object.keys(p).length <= 10, 'at most 10 props')
      .optional(),
    screen: z.number().int().min(0).max(100_000).optional(),
  })
  .strict()
  .refine((b) => b.type === 'pageview' || b.type.startsWith('form') || !!b.name, {
    message: 'name is required for event and outbound',
    path: ['name'],
  });

const typeOf = {
  pageview: 'pageview',
  event: 'custom',
  outbound: 'outbound',
  form_start: 'form_start',
  form_submit: 'form_submit',
} as const satisfies Record<string, EventType>;

/** Client-portal and partner sessions, once those areas exist; a staff session never counts. */
export type ClientSessionCheck = (request: FastifyRequest) => boolean;

export interface AnalyticsRouteDeps {
  analytics: Analytics;
  secure: boolean;
  /**
   * The site's public address (BASE_URL): events about pages elsewhere (a copied page, a forged
   * beacon, a spoofed Host header) are refused.
   */
  site: URL;
  clientSessions?: readonly ClientSessionCheck[];
}

const trackerFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/a.js');

/** The privacy facts of a request, as the collector needs them. */
export function requestFacts(
  request: FastifyRequest,
  clientSessions: readonly ClientSessionCheck[] = [],
) {
  // The kernel's answer (src/privacy/signals.ts), the same the tags and the notice get.
  const { optedOut } = request.privacy;
  const consent = request.privacy.allows('analytics');
  return {
    ua: request.headers['user-agent'],
    headers: request.headers,
    ip: request.ip,
    optedOut,
    consent,
    ...(consent ? { visitorCookie: request.cookies[VISITOR_COOKIE] } : {}),
    client:
      clientSessions.some((check) => check(request)) ||
      (consent && request.cookies[CLIENT_COOKIE] === '1'),
  } satisfies Omit<TrackInput, 'type' | 'url'>;
}

export async function analyticsRoutes(
  app: FastifyInstance,
  deps: AnalyticsRouteDeps,
): Promise<void> {
  const tracker = trackerWithSecretPaths(fs.readFileSync(trackerFile, 'utf8'));
  acceptBeacons(app);

  app.get('/a.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(tracker),
  );

  app.post(
    '/api/event',
    // One beacon per page view would be an access-log line each; failures are still logged.
    // The only cookie it may set is the consented visitor id (src/web/cookie-guard.ts).
    {
      bodyLimit: MAX_BODY,
      logLevel: 'warn',
      config: { securityHeaders: false, cookies: [VISITOR_COOKIE] },
    },
    async (request, reply) => {
      const result = await deps.analytics.track(parseEvent(request, deps));
      if (result.setVisitorCookie) {
        reply.setCookie(VISITOR_COOKIE, result.setVisitorCookie, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.secure,
          maxAge: VISITOR_COOKIE_MAX_AGE_S,
        });
      }
      return reply.code(result.stored ? 202 : 204).send();
    },
  );
}

/**
 * The tracker with the kernel's secret prefixes filled in: it sends nothing from a page whose
 * address is a secret link, and the list has no second copy to fall out of date.
 */
export function trackerWithSecretPaths(source: string): string {
  const placeholder = 'secret = [];';
  if (!source.includes(placeholder)) throw new Error(`public/a.js lost its "${placeholder}" line`);
  return source.replace(placeholder, `secret = ${JSON.stringify(secretPrefixes())};`);
}

/** sendBeacon posts a string as text/plain; it is the same JSON. */
export function acceptBeacons(app: FastifyInstance): void {
  app.addContentTypeParser(
    'text/plain',
    { parseAs: 'string', bodyLimit: MAX_BODY },
    (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(invalid('The event body is not valid JSON.'));
      }
    },
  );
}

/** The collector's input from a beacon: its validated body and the request's privacy facts. */
export function parseEvent(
  request: FastifyRequest,
  deps: Pick<AnalyticsRouteDeps, 'site' | 'clientSessions'>,
): TrackInput {
  const parsed = eventBody.safeParse(request.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      `Invalid event: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not valid'}`,
    );
  }
  const b = parsed.data;
  const url = b.url;
  // The configured address, never the request's Host header, which the sender chooses.
  if (!ofThisSite(url, deps.site)) {
    throw invalid(`Invalid event: url: must be a page of this site, ${deps.site.origin}`);
  }
  // Campaign tags are stored decoded, out of sight of the edge's check on the body's strings.
  const tag = findUnstorableParam(url.searchParams);
  if (tag !== null) throw invalid(`Invalid event: url: ${unstorableMessage(`url.${tag}`)}`);
  const props = b.props
    ? Object.fromEntries(Object.entries(b.props).map(([k, v]) => [k, String(v)]))
    : undefined;
  return {
    ...requestFacts(request, deps.clientSessions),
    type: typeOf[b.type],
    url,
    ...(b.referrer ? { referrer: b.referrer } : {}),
    ...(b.type === 'outbound' && b.name
      ? { name: hostOf(b.name) }
      : b.name
        ? { name: b.name }
        : {}),
    ...(props ? { props } : {}),
  };
}

function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** The site's own origin: scheme and port as configured, host with or without its www. prefix. */
const ofThisSite = (url: URL, site: URL) =>
  url.protocol === site.protocol &&
  url.port === site.port &&
  url.hostname.replace(/^www\./, '') === site.hostname.replace(/^www\./, '');

/** Outbound clicks keep the link's host only: a full URL can carry personal data. */
function hostOf(target: string): string {
  try {
    return new URL(target).hostname.slice(0, 64);
  } catch {
    return target.slice(0, 64);
  }
}
