import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../adapters/clock.js';
import type { Db } from '../db/database.js';
import type { GpcApplicationsTable } from '../db/schema.js';
import type { Kernel } from '../privacy/kernel.js';
import { suppress } from '../privacy/subject-data.js';
import { isWithdrawn } from '../privacy/opt-out-effects.js';
import { consentStands, policyVersionNow } from '../privacy/consent.js';
import { cookieFreePath } from '../privacy/cookie-free.js';
import { createGpcDaily, type GpcDaily } from './gpc-daily.js';
import { insertGpc } from './repository.js';

// Global Privacy Control: `Sec-GPC: 1` opts this browser out of sale, sharing and advertising.
// Every request with it is counted per day (gpc_daily); a person identified while sending it
// (intake, a verified request, a cookie choice) gets a gpc_applications row. On pages, two
// strictly necessary cookies remember what was decided, so a signal that later disappears
// changes nothing: the choice cookie still says "do not allow", and only the person can change it.

export const CHOICES_COOKIE = 'spmb_choices';
export const GPC_COOKIE = 'spmb_gpc';
const YEAR_S = 365 * 24 * 3600;

export interface BrowserChoices {
  analytics?: 'granted' | 'denied';
  advertising?: 'granted' | 'denied';
  /** The policy version the choice was made under; a later material change asks again. */
  version?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request carried `Sec-GPC: 1`. */
    gpc: boolean;
    /** What the GPC signal overrode in this request, when it was applied. */
    gpcOverrode: GpcApplicationsTable['overrode'];
    browserChoices: BrowserChoices;
  }
}

/**
 * The choices in this browser's cookie. A grant made under a policy version that a material
 * change has since replaced no longer stands: it reads as "not chosen", so the banner asks again.
 * Refusals stand whatever the version: they can only reduce what we do.
 */
export function readChoices(request: FastifyRequest): BrowserChoices {
  const raw = request.cookies[CHOICES_COOKIE];
  if (!raw) return {};
  const out: BrowserChoices = {};
  for (const part of raw.split('.')) {
    const [k, v] = part.split(':');
    const val = v === 'g' ? 'granted' : v === 'd' ? 'denied' : undefined;
    if (val && k === 'a') out.analytics = val;
    if (val && k === 'd') out.advertising = val;
    // Versions are written with '_' for '.', the separator of the parts.
    if (k === 'v' && v && /^[0-9_]{1,12}$/.test(v)) out.version = v.replace(/_/g, '.');
  }
  const stands = consentStands({ granted: 1, policy_version: out.version ?? null });
  if (!stands && out.analytics === 'granted') delete out.analytics;
  if (!stands && out.advertising === 'granted') delete out.advertising;
  return out;
}

/** Writes the choices, stamped with the policy version in force now. */
export function writeChoices(reply: FastifyReply, choices: BrowserChoices, secure: boolean): void {
  const code = (v: string | undefined) => (v === 'granted' ? 'g' : 'd');
  const parts = [
    choices.analytics ? `a:${code(choices.analytics)}` : '',
    choices.advertising ? `d:${code(choices.advertising)}` : '',
    `v:${policyVersionNow().replace(/\./g, '_')}`,
  ].filter(Boolean);
  reply.setCookie(CHOICES_COOKIE, parts.join('.'), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: YEAR_S,
  });
}

export interface GpcDeps {
  db: Db;
  clock: Clock;
  kernel: Kernel;
  secure: boolean;
}

/** Applies the signal to a known person: an advertising opt-out keyed to their address, recorded. */
export async function applyGpcToPerson(
  deps: Pick<GpcDeps, 'db' | 'kernel'>,
  who: { email?: string; phone?: string },
  leadIds: string[],
  source: GpcApplicationsTable['source'],
  overrode: GpcApplicationsTable['overrode'],
  at: Date,
): Promise<void> {
  await suppress(deps.db, deps.kernel, who, 'advertising', at);
  await insertGpc(
    deps.db,
    leadIds.map((id) => ({
      at: at.toISOString(),
      subject_kind: 'lead' as const,
      subject_id: id,
      source,
      overrode,
    })),
  );
}

/**
 * A person identified by a form: an opt-out they stored that withdraws advertising (kernel table
 * `optOutEffects`) turns advertising off in this browser, so no advertising tag loads for them.
 */
export async function applyOptOutsToBrowser(
  deps: Pick<GpcDeps, 'db' | 'kernel'>,
  request: FastifyRequest,
  reply: FastifyReply,
  who: { email?: string; phone?: string },
  secure: boolean,
): Promise<void> {
  if (request.browserChoices.advertising === 'denied') return;
  if (!(await isWithdrawn(deps.db, deps.kernel, who, 'advertising'))) return;
  const next = { ...request.browserChoices, advertising: 'denied' as const };
  request.browserChoices = next;
  writeChoices(reply, next, secure);
}

/**
 * The root hook: reads the signal on every request and counts it (per day, in memory), and on a
 * page applies it to the browser's choices once. Nothing is written per request, and the
 * collector, assets, probes and 404s get no cookie (src/privacy/cookie-free.ts).
 */
export const gpcPlugin = fp(async (app: FastifyInstance, deps: GpcDeps) => {
  const daily = createGpcDaily({
    db: deps.db,
    clock: deps.clock,
    onError: (err) => app.log.warn({ err }, 'gpc: daily count not written yet'),
  });
  app.decorate('gpcDaily', daily);
  // Before close, while the database is surely open (the server's own onClose hook, which runs
  // before this plugin's, destroys it); then whatever requests still in flight counted.
  const flushQuietly = () =>
    daily.flush().catch((err: unknown) => app.log.warn({ err }, 'gpc: daily count lost at close'));
  app.addHook('preClose', flushQuietly);
  app.addHook('onClose', flushQuietly);
  app.decorateRequest('gpc', false);
  app.decorateRequest('gpcOverrode', 'none');
  app.decorateRequest('browserChoices', null as unknown as BrowserChoices);
  app.addHook('onRequest', async (request, reply) => {
    const choices = readChoices(request);
    request.browserChoices = choices;
    request.gpc = request.headers['sec-gpc'] === '1';
    if (!request.gpc) return;
    daily.record();
    if (request.is404 || cookieFreePath(request.url)) return;
    const optedIn = choices.advertising === 'granted';
    if (optedIn) request.gpcOverrode = 'advertising_opt_in';
    // Applied to the browser once, and again whenever the browser has opted in since.
    if (request.cookies[GPC_COOKIE] === '1' && !optedIn) return;
    const next = { ...choices, advertising: 'denied' as const };
    request.browserChoices = next;
    writeChoices(reply, next, deps.secure);
    reply.setCookie(GPC_COOKIE, '1', {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secure,
      maxAge: YEAR_S,
    });
  });
});

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests with the signal, counted per day and flushed to gpc_daily. */
    gpcDaily: GpcDaily;
  }
}
