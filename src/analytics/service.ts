import { LRUCache } from 'lru-cache';
import type { Clock } from '../adapters/clock.js';
import type { Db } from '../db/database.js';
import { toAt, type EventType } from './codes.js';
import { createCollector, type CollectorOptions } from './collector.js';
import {
  automatedAgent,
  classify,
  cleanPath,
  automatedRequest,
  parseUa,
  visitInfo,
  type GeoLookup,
  type UaInfo,
} from './enrich.js';
import { TooManyError } from '../web/errors.js';
import { cookieVisitor, createSalts, newVisitorId, validVisitorId } from './identity.js';
import { createSourceBounds, type SourceLimits } from './source-bounds.js';
import { createWriter, type Hit } from './writer.js';
import { startWriterThread } from './writer-thread.js';

/** What the route hands over: the validated body and the few request facts enrichment needs. */
export interface TrackInput {
  type: EventType;
  url: URL;
  referrer?: string;
  name?: string;
  props?: Record<string, string>;
  ua: string | undefined;
  headers: Record<string, unknown>;
  ip: string;
  /** Global Privacy Control or Do Not Track: no cookie, no visitor id. */
  optedOut: boolean;
  /** Analytics consent recorded for this browser (and no opt-out signal). */
  consent: boolean;
  /** The consented visitor cookie, if the browser sent one. */
  visitorCookie?: string;
  /** A live client-portal or partner session, or (with consent) the client marker. */
  client: boolean;
}

export interface TrackResult {
  stored: boolean;
  /** A new visitor id to set as the consented first-party cookie. */
  setVisitorCookie?: string;
}

export interface AnalyticsDeps {
  db: Db;
  clock: Clock;
  geo: GeoLookup;
  /** Site name mixed into the cookieless hash, so two sites never share visitor ids. */
  site: string;
  collector?: CollectorOptions;
  /** Per client address and minute; without them, no bound (tools that feed events themselves). */
  bounds?: SourceLimits;
  /**
   * The database's URL, for the writer thread's own connection (the server). Without it, batches
   * are written in line on `db`.
   */
  writerUrl?: string;
  /** Told after each event's batch committed (the events-ingested metric). */
  onStored?: () => void;
}

export function createAnalytics(deps: AnalyticsDeps) {
  const writer = deps.writerUrl ? startWriterThread(deps.writerUrl) : createWriter(deps.db);
  const collector = createCollector(writer, deps.collector);
  const salts = createSalts(deps.db);
  const bounds = deps.bounds ? createSourceBounds(deps.clock, deps.bounds) : undefined;
  // Parsing a user agent cost more than the rest of enrichment; a site sees few distinct ones.
  const agents = new LRUCache<string, { bot: boolean; ua: UaInfo }>({ max: 5000 });
  const agent = (ua: string) => {
    let known = agents.get(ua);
    if (!known) {
      known = { bot: automatedAgent(ua), ua: parseUa(ua) };
      agents.set(ua, known);
    }
    return known;
  };

  async function identify(
    input: TrackInput,
    at: number,
  ): Promise<{ visitor: string | null; previous: string | null; setCookie?: string }> {
    if (input.optedOut) return { visitor: null, previous: null };
    if (input.consent && validVisitorId(input.visitorCookie)) {
      return { visitor: cookieVisitor(input.visitorCookie), previous: null };
    }
    const [today, yesterday] = await salts.visitorHashes(at, deps.site, input.ip, input.ua ?? '');
    if (input.consent) {
      // The first event after consent: the visit that led to it carries on under the new cookie.
      const id = newVisitorId();
      return { visitor: cookieVisitor(id), previous: today, setCookie: id };
    }
    return { visitor: today, previous: yesterday };
  }

  /** The hit to store, with who sent it and where from; null for a bot. Writes nothing but salts. */
  async function enrich(input: TrackInput): Promise<{ hit: Hit; setCookie?: string } | null> {
    // The user agent's verdict is cached with its parse.
    if (!input.ua || automatedRequest(input.headers)) return null;
    const { bot, ua } = agent(input.ua);
    if (bot) return null;
    const at = toAt(deps.clock.now().getTime());
    const who = await identify(input, at);
    const geo = deps.geo.lookup(input.ip);
    const acq = classify(input.url, input.referrer);
    const hit: Hit = {
      at,
      visitor: who.visitor,
      previousVisitor: who.previous,
      type: input.type,
      path: cleanPath(input.url),
      name: input.name ?? null,
      ...(input.props ? { props: input.props } : {}),
      visit: visitInfo(acq, ua, geo, input.client),
    };
    return { hit, ...(who.setCookie ? { setCookie: who.setCookie } : {}) };
  }

  return {
    collector,
    salts,
    enrich,
    /** Enriches and stores one event; resolves after commit. Bots are dropped (stored: false). */
    async track(input: TrackInput): Promise<TrackResult> {
      refuseOver(bounds?.event(input.ip), 'events');
      const enriched = await enrich(input);
      if (!enriched) return { stored: false };
      const visitor = enriched.hit.visitor;
      if (visitor) refuseOver(bounds?.visitor(input.ip, visitor), 'new visitors');
      await collector.add(enriched.hit);
      deps.onStored?.();
      return {
        stored: true,
        ...(enriched.setCookie ? { setVisitorCookie: enriched.setCookie } : {}),
      };
    },
  };
}
export type Analytics = ReturnType<typeof createAnalytics>;

/** A bound's answer: nothing when within it, else 429 saying how long to wait. */
function refuseOver(waitS: number | undefined, what: string): void {
  if (!waitS) return;
  throw new TooManyError(
    `Too many ${what} from your address this minute; nothing was stored. Try again in ${waitS} seconds.`,
    waitS,
  );
}
