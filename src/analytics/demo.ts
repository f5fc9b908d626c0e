import type { DemoStep, Random } from '../adapters/demo-data.js';
import type { Db } from '../db/database.js';
import { toAt, type EventType } from './codes.js';
import { compactAnalytics } from './compactor.js';
import { classify, parseUa, visitInfo } from './enrich.js';
import { createWriter, MAX_BATCH, type Hit } from './writer.js';

const DAY = 86_400_000;

/** Where visits come from: a landing URL (campaign tags) and a referrer, classified as live ones are. */
const sources: Record<string, { url?: string; referrer?: string[] }> = {
  direct: {},
  search: {
    referrer: ['https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/'],
  },
  paid: { url: '?utm_source=google&utm_medium=cpc&utm_campaign=demo-denials' },
  social: { referrer: ['https://www.linkedin.com/', 'https://www.facebook.com/'] },
  email: { url: '?utm_source=newsletter&utm_medium=email&utm_campaign=demo-winter-billing' },
  referral: {
    referrer: ['https://clinic-directory.example.org/', 'https://billing-forum.example.net/'],
  },
  campaign: { url: '?utm_source=conference&utm_campaign=demo-expo' },
};
const sourceWeights = {
  direct: 28,
  search: 36,
  paid: 8,
  social: 8,
  email: 7,
  referral: 9,
  campaign: 4,
};

const agents = {
  desktop: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  ],
  mobile: [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  ],
  tablet: [
    'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  ],
};
const places = [
  { city: 'Houston', region: 'Texas, US' },
  { city: 'Dallas', region: 'Texas, US' },
  { city: 'Phoenix', region: 'Arizona, US' },
  { city: 'Atlanta', region: 'Georgia, US' },
  { city: 'Miami', region: 'Florida, US' },
  { city: 'Chicago', region: 'Illinois, US' },
];
const pages = ['/', '/services', '/about', '/partners', '/get-started', '/privacy', '/cookies'];
/** Weekday shape: Monday to Friday busy, the weekend quiet (index: getUTCDay()). */
const weekday = [0.35, 1.1, 1.15, 1.05, 1.0, 0.85, 0.45];
/** Visit starts by hour of day (UTC), the US working day. */
const hours = Object.fromEntries(
  Array.from({ length: 24 }, (_, h) => [String(h), h >= 13 && h <= 23 ? 3 : h <= 3 ? 1 : 0.3]),
) as Record<string, number>;

/**
 * A year of visits ending now, written through the analytics writer's bulk path (the one the
 * collector uses), then compacted as the hourly job would: a weekly rhythm, growth over the
 * year, a few campaign weeks, the site's pages, search and social referrers, tagged campaigns,
 * desktop, phone and tablet browsers, and a share of signed-in clients.
 */
export function demoTraffic(db: Db, events: number, days = 365): DemoStep {
  return {
    name: 'analytics events',
    units: events,
    async run(ctx, tick) {
      const { random } = ctx;
      const writer = createWriter(db);
      // Events per visit on average (landing page, the pages after it, a few clicks and forms).
      const perVisit = 2.4;
      const spikes = Array.from({ length: 3 }, () => random.int(7, Math.max(7, days - 7)));
      // Each day's share of the year: weekly rhythm, growth, campaign weeks, day-to-day noise.
      const share = Array.from({ length: days }, (_, back) => {
        const day = new Date(ctx.now.getTime() - back * DAY);
        const spike = spikes.some((s) => back <= s && back > s - 7) ? 1.8 : 1;
        const growth = 0.6 + 0.6 * ((days - 1 - back) / Math.max(1, days - 1));
        return weekday[day.getUTCDay()]! * growth * spike * random.noise(0.5);
      });
      const sum = share.reduce((a, b) => a + b, 0);
      let written = 0;
      let buffer: Hit[] = [];
      const flush = async () => {
        const batch = buffer.sort((a, b) => a.at - b.at);
        buffer = [];
        for (let i = 0; i < batch.length; i += MAX_BATCH) {
          const refused = await writer.write(batch.slice(i, i + MAX_BATCH));
          // The demo's own data: a refused hit is a bug in this step, not something to skip.
          for (const err of refused.values()) throw err;
          tick(Math.min(MAX_BATCH, batch.length - i));
        }
        written += batch.length;
      };
      const visitors: string[] = [];
      for (let back = days - 1; back >= 0; back--) {
        const day = new Date(ctx.now.getTime() - back * DAY);
        day.setUTCHours(0, 0, 0, 0);
        const visits = Math.round(((events / perVisit) * share[back]!) / sum);
        for (let v = 0; v < visits; v++) {
          const start =
            day.getTime() + Number(random.weighted(hours)) * 3_600_000 + random.int(0, 3599) * 1000;
          if (start >= ctx.now.getTime()) continue;
          buffer.push(...visit(random, visitors, start, ctx.now.getTime()));
        }
        if (buffer.length >= MAX_BATCH) await flush();
      }
      await flush();
      const compacted = await compactAnalytics(db, ctx.now);
      return `${written} analytics events (${compacted.segments} days compacted)`;
    },
  };
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** An id shaped like the collector's visitor hashes (12 characters), from the seeded generator. */
const visitorId = (random: Random) =>
  Array.from({ length: 12 }, () => alphabet[random.int(0, 63)]).join('');

/** One visit's events: landing page, a few more pages, maybe the intake form. */
function visit(random: Random, visitors: string[], start: number, now: number): Hit[] {
  const returning = visitors.length > 0 && random.chance(0.25);
  const visitor = returning ? random.pick(visitors) : visitorId(random);
  if (!returning) visitors.push(visitor);
  if (visitors.length > 5000) visitors.shift();
  const source = random.weighted(sourceWeights);
  const landing = random.weighted({
    '/': 50,
    '/services': 25,
    '/get-started': 10,
    '/about': 10,
    '/partners': 5,
  });
  const url = new URL(`https://demo.example.com${landing}${sources[source]!.url ?? ''}`);
  const referrer = sources[source]!.referrer ? random.pick(sources[source]!.referrer) : undefined;
  const acq = classify(url, referrer);
  const device = random.weighted({ desktop: 58, mobile: 35, tablet: 7 });
  const ua = parseUa(random.pick(agents[device]));
  const place = random.pick(places);
  const geo = { country: 'US', region: place.region, city: `${place.city}, ${place.region}` };
  const info = visitInfo(acq, ua, geo, random.chance(0.1));
  const hits: Hit[] = [];
  let t = start;
  const add = (
    type: EventType,
    path: string,
    name: string | null = null,
    props?: Record<string, string>,
  ) => {
    if (t < now)
      hits.push({
        at: toAt(t),
        visitor,
        type,
        path,
        name,
        ...(props ? { props } : {}),
        visit: info,
      });
    t += random.int(10, 180) * 1000;
  };
  let path: string = landing;
  add('pageview', path);
  const more = Math.floor(-Math.log(1 - random.next()) * 1.6);
  for (let i = 0; i < more; i++) {
    path = random.pick(pages);
    add('pageview', path);
    if (random.chance(0.1))
      add('custom', path, 'cta_click', { location: random.pick(['hero', 'footer', 'menu']) });
  }
  if (path === '/get-started' && random.chance(0.4)) {
    add('form_start', path);
    if (random.chance(0.35)) add('intake_submitted', path);
  }
  if (random.chance(0.03)) add('outbound', path, 'linkedin.com');
  return hits;
}
