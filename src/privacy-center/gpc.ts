import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../adapters/clock.js';
import type { Db } from '../db/database.js';
import type { GpcApplicationsTable } from '../db/schema.js';
import type { Kernel } from '../privacy/kernel.js';
import { suppress } from '../privacy/subject-data.js';
import { isWithdrawn } from '../privacy/opt-out-effects.js';
import { cookieFreePath } from '../privacy/cookie-free.js';
import { writeChoices } from '../privacy/signals.js';
import { createGpcDaily, type GpcDaily } from './gpc-daily.js';
import { insertGpc } from './repository.js';

// Global Privacy Control: `Sec-GPC: 1` opts this browser out of sale, sharing and advertising.
// Every request with it is counted per day (gpc_daily); a person identified while sending it
// (intake, a verified request, a cookie choice) gets a gpc_applications row. On pages, two
// strictly necessary cookies remember what was decided, so a signal that later disappears
// changes nothing: the choice cookie still says "do not allow", and only the person can change it.

export const GPC_COOKIE = 'spmb_gpc';
const YEAR_S = 365 * 24 * 3600;

declare module 'fastify' {
  interface FastifyRequest {
    /** What the GPC signal overrode in this request, when it was applied. */
    gpcOverrode: GpcApplicationsTable['overrode'];
  }
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
  const choices = request.privacy.choices;
  if (choices.advertising === 'denied') return;
  if (!(await isWithdrawn(deps.db, deps.kernel, who, 'advertising'))) return;
  writeChoices(reply, { ...choices, advertising: 'denied' }, secure);
}

/**
 * The root hook: asks the kernel for the signal on every request (src/privacy/signals.ts) and
 * counts it (per day, in memory), and on a page applies it to the browser's choices once. Nothing is written per request, and the
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
  app.decorateRequest('gpcOverrode', 'none');
  app.addHook('onRequest', (request, reply, done) => {
    const signals = request.privacy;
    if (!signals.gpc) return done();
    daily.record();
    if (request.is404 || cookieFreePath(request.url)) return done();
    const choices = signals.choices;
    const optedIn = choices.advertising === 'granted';
    if (optedIn) request.gpcOverrode = 'advertising_opt_in';
    // Applied to the browser once, and again whenever the browser has opted in since.
    if (request.cookies[GPC_COOKIE] === '1' && !optedIn) return done();
    writeChoices(reply, { ...choices, advertising: 'denied' }, deps.secure);
    reply.setCookie(GPC_COOKIE, '1', {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secure,
      maxAge: YEAR_S,
    });
    done();
  });
});

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests with the signal, counted per day and flushed to gpc_daily. */
    gpcDaily: GpcDaily;
  }
}
