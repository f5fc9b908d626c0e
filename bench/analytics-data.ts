// A realistic analytics dataset for bench/analytics-panels.ts, written straight into the 0012
// tables with prepared statements in large transactions (the collector would take hours to
// write 10 million events). Visits are generated in time order, ~2.65 events each, over 13
// months; rollups are then built from the raw rows with GROUP BY in the shape the writer keeps
// (the recount of src/analytics/rollup.test.ts), so they agree with sessions and events.
// One difference from the writer since decision 012: a visit without an id keeps its clicks
// and form steps here, where the writer files them under no visit (session_id 0); that is ~6%
// of visits and ~0.6 events each.
import type SQLite from 'better-sqlite3';
import { dayOf, dictKinds, dims, eventTypes, toAt, type DictKind } from '../src/analytics/codes.js';

/** A seeded generator, so two runs build the same data. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261129);
const chance = (p: number) => rand() < p;

/** Picks ids with the given weights (binary search over the cumulative sum). */
function picker(ids: number[], weights: number[]) {
  const cum: number[] = [];
  let sum = 0;
  for (const w of weights) cum.push((sum += w));
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo]!;
  };
}
const zipf = (n: number, s = 1.1) => Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

// prettier-ignore
const usStates = [
  'Texas', 'California', 'Florida', 'New York', 'Oklahoma', 'Louisiana', 'Georgia', 'Illinois',
  'Pennsylvania', 'Ohio', 'Arizona', 'North Carolina', 'Michigan', 'New Jersey', 'Virginia',
  'Washington', 'Tennessee', 'Colorado', 'Missouri', 'Arkansas', 'New Mexico', 'Alabama',
  'Maryland', 'Indiana', 'Massachusetts', 'Minnesota', 'Wisconsin', 'South Carolina', 'Kentucky',
  'Oregon', 'Utah', 'Iowa', 'Nevada', 'Kansas', 'Mississippi', 'Connecticut', 'Nebraska', 'Idaho',
  'Hawaii', 'West Virginia', 'New Hampshire', 'Maine', 'Montana', 'Rhode Island', 'Delaware',
  'South Dakota', 'North Dakota', 'Alaska', 'Vermont', 'Wyoming',
];
// prettier-ignore
const topPaths = [
  '/', '/services', '/pricing', '/get-started', '/about', '/contact', '/partners', '/blog',
  '/get-started/thanks', '/privacy', '/cookies', '/privacy-center', '/services/coding',
  '/services/credentialing', '/services/denials', '/services/ar-recovery',
];

export interface Generated {
  events: number;
  sessions: number;
  props: number;
  seconds: { rows: number; rollups: number };
  ids: { texas: number; pricing: number };
}

export function generate(raw: SQLite.Database, target: number, nowMs: number): Generated {
  const t0 = performance.now();
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  const dictStmt = raw.prepare('insert into analytics_dict (kind, value) values (?, ?)');
  const dict = (kind: DictKind, values: string[]) =>
    values.map((v) => Number(dictStmt.run(dictKinds[kind], v).lastInsertRowid));

  const paths = dict('path', [
    ...topPaths,
    ...range(300 - topPaths.length, (i) => `/blog/post-${i + 1}`),
  ]);
  const path = picker(paths, zipf(paths.length));
  const searchHosts = [
    'www.google.com',
    'www.bing.com',
    'duckduckgo.com',
    'search.yahoo.com',
    'www.ecosia.org',
  ];
  const engines = dict('engine', ['Google', 'Bing', 'DuckDuckGo', 'Yahoo', 'Ecosia']);
  const referrers = dict('referrer', [
    ...searchHosts,
    ...['www.facebook.com', 'www.linkedin.com', 't.co', 'www.reddit.com', 'www.instagram.com'],
    ...range(140, (i) => `partner-${i + 1}.example`),
  ]);
  const searchRef = (e: number) => referrers[e]!;
  const socialRef = picker(referrers.slice(5, 10), zipf(5));
  const otherRef = picker(referrers.slice(10), zipf(140));
  const engineIx = picker([0, 1, 2, 3, 4], [80, 12, 5, 2, 1]);
  const utmSource = picker(
    dict('utm_source', [
      'google',
      'newsletter',
      'facebook',
      'linkedin',
      ...range(16, (i) => `source-${i}`),
    ]),
    zipf(20),
  );
  const utmMedium = dict('utm_medium', ['cpc', 'email', 'social', 'display', 'referral']);
  const utmCampaign = picker(
    dict(
      'utm_campaign',
      range(40, (i) => `campaign-${i + 1}`),
    ),
    zipf(40),
  );

  const countryCodes = ['US', 'CA', 'GB', 'IN', 'MX', 'PH', 'DE', 'FR', 'AU', 'BR'];
  for (let i = 0; countryCodes.length < 200; i++) {
    const c = String.fromCharCode(65 + (i % 26)) + String.fromCharCode(65 + Math.floor(i / 26));
    if (!countryCodes.includes(c)) countryCodes.push(c);
  }
  const countries = dict('country', countryCodes);
  const otherCountry = picker(
    countries.slice(1).map((_, i) => i + 1),
    zipf(199),
  );
  const stateRegions = dict(
    'region',
    usStates.map((s) => `${s}, US`),
  );
  const stateWeights = usStates.map((_, i) => (i === 0 ? 18 : i === 1 ? 10 : 40 / (i + 1)));
  const statePick = picker(
    stateRegions.map((_, i) => i),
    stateWeights,
  );
  // Two regions for each of the 40 most common other countries, a city or four per region.
  const foreignRegions = dict(
    'region',
    countryCodes.slice(1, 41).flatMap((c) => [`North, ${c}`, `South, ${c}`]),
  );
  const stateCities = usStates.map((s) =>
    dict(
      'city',
      range(4, (i) => `City ${i + 1}, ${s}, US`),
    ),
  );
  const foreignCities = countryCodes
    .slice(1, 41)
    .flatMap((c) => [`North, ${c}`, `South, ${c}`])
    .map((r) => dict('city', [`Capital, ${r}`]));
  const cityPick = picker([0, 1, 2, 3], [50, 25, 15, 10]);

  const browserNames = ['Chrome', 'Safari', 'Edge', 'Firefox', 'Samsung Internet', 'Opera'];
  const browsers = dict('browser', browserNames);
  const versions = browserNames.map((b) =>
    dict(
      'browser_version',
      range(5, (i) => `${b} ${120 + i}`),
    ),
  );
  const browserPick = picker([0, 1, 2, 3, 4, 5], [60, 25, 6, 5, 3, 1]);
  const versionPick = picker([0, 1, 2, 3, 4], [40, 30, 15, 10, 5]);
  const desktopOs = picker(
    dict('os', ['Windows 10', 'Windows 11', 'macOS', 'Linux', 'ChromeOS']),
    [35, 35, 22, 5, 3],
  );
  const mobileOs = picker(
    dict('os', ['iOS 17', 'iOS 18', 'Android 14', 'Android 15']),
    [20, 30, 25, 25],
  );
  const devicePick = picker([1, 2, 3, 0], [55, 40, 4, 1]);
  const channelPick = picker([0, 1, 2, 3, 4, 5, 6], [35, 30, 8, 10, 5, 10, 2]);

  const eventNames = picker(
    dict('event_name', [
      'cta',
      'call_click',
      'email_click',
      'download_guide',
      'video_play',
      'faq_open',
      'chat_open',
      'pricing_toggle',
      'newsletter_signup',
      'scroll_75',
    ]),
    zipf(10),
  );
  const propKeys = dict('prop_key', ['where', 'plan', 'variant', 'section', 'label']);
  const propValues = picker(
    dict('prop_value', [
      'header',
      'footer',
      'hero',
      'sidebar',
      'a',
      'b',
      'monthly',
      'annual',
      ...range(22, (i) => `value-${i + 1}`),
    ]),
    zipf(30),
  );
  const outbound = picker(
    dict(
      'outbound_host',
      range(30, (i) => `link-${i + 1}.example`),
    ),
    zipf(30),
  );
  const getStarted = paths[3]!;
  const thanks = paths[8]!;

  const sessionStmt = raw.prepare(
    `insert into analytics_sessions (id, visitor, started_at, last_at, pageviews, events, entry_path, exit_path, channel, referrer, engine, utm_source, utm_medium, utm_campaign, country, region, city, browser, browser_version, os, device, visitor_kind, client, funnel)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const eventStmt = raw.prepare(
    'insert into analytics_events (id, at, session_id, type, path, name) values (?, ?, ?, ?, ?, ?)',
  );
  const propStmt = raw.prepare(
    'insert into analytics_event_props (event_id, prop_key, prop_value) values (?, ?, ?)',
  );
  const dayStmt = raw.prepare('insert into analytics_visitor_days (day, visitor) values (?, ?)');

  const endAt = toAt(nowMs);
  const spanS = 395 * 86_400;
  const startAt = endAt - spanS;
  // ~2.65 events per visit on average (2 page views, custom, outbound and funnel events).
  const visits = Math.round(target / 2.65);
  const meanGap = spanS / visits;
  // Traffic follows US office hours (UTC 14–23 busiest) and grows over the year.
  const shape = (h: number) => 0.35 + 1.3 * Math.max(0, Math.sin(((h - 11) / 24) * 2 * Math.PI));
  const meanShape = Array.from({ length: 24 }, (_, h) => shape(h)).reduce((a, b) => a + b) / 24;
  const hourWeight = (at: number) => shape(Math.floor(at / 3600) % 24) / meanShape;
  const recent: string[] = [];
  const days = new Map<number, Set<string>>();
  let visitorSeq = 0;
  let eventId = 0;
  let props = 0;
  let sessionId = 0;
  let at = startAt;

  const flushDays = (before: number) => {
    for (const [d, set] of [...days].sort((a, b) => a[0] - b[0])) {
      if (d >= before) break;
      for (const v of [...set].sort()) dayStmt.run(d, v);
      days.delete(d);
    }
  };

  const batch = raw.transaction((n: number) => {
    for (let i = 0; i < n && at < endAt; i++) {
      const growth = 0.6 + (0.8 * (at - startAt)) / spanS;
      at += Math.max(1, Math.round((-Math.log(1 - rand()) * meanGap) / (hourWeight(at) * growth)));
      if (at >= endAt) break;
      sessionId++;
      let visitor: string | null = null;
      let kind = 0;
      if (!chance(0.06)) {
        if (recent.length > 1000 && chance(0.25)) {
          visitor = recent[Math.floor(rand() * recent.length)]!;
          kind = 2;
        } else {
          visitor =
            (++visitorSeq).toString(36).padStart(6, '0') +
            Math.floor(rand() * 2 ** 30)
              .toString(36)
              .padStart(6, '0')
              .slice(0, 6);
          kind = 1;
          if (recent.length < 20_000) recent.push(visitor);
          else recent[visitorSeq % 20_000] = visitor;
        }
      }
      const channel = channelPick();
      let referrer: number | null = null;
      let engine: number | null = null;
      let utm: [number | null, number | null, number | null] = [null, null, null];
      if (channel === 1 || channel === 2) {
        const e = engineIx();
        engine = engines[e]!;
        referrer = searchRef(e);
        if (channel === 2) utm = [utmSource(), utmMedium[0]!, utmCampaign()];
      } else if (channel === 3) referrer = socialRef();
      else if (channel === 4) utm = [utmSource(), utmMedium[1]!, utmCampaign()];
      else if (channel === 5) referrer = otherRef();
      else if (channel === 6) utm = [utmSource(), utmMedium[3]!, utmCampaign()];
      let country: number | null = null;
      let region: number | null = null;
      let city: number | null = null;
      if (!chance(0.02)) {
        if (chance(0.75)) {
          const s = statePick();
          [country, region, city] = [countries[0]!, stateRegions[s]!, stateCities[s]![cityPick()]!];
        } else {
          const c = otherCountry();
          country = countries[c]!;
          if (c <= 40) {
            const r = (c - 1) * 2 + (chance(0.5) ? 1 : 0);
            [region, city] = [foreignRegions[r]!, foreignCities[r]![0]!];
          }
        }
      }
      const device = devicePick();
      const os = device === 2 || (device === 3 && chance(0.7)) ? mobileOs() : desktopOs();
      const b = browserPick();
      const funnel = chance(0.025) ? 3 : chance(0.06) ? 2 : 1;

      // The visit's events: page views, a few custom events and outbound clicks, funnel steps.
      const steps: [number, number, number | null][] = [];
      let pv = 1;
      while (pv < 15 && (pv === 1 ? chance(0.55) : chance(0.45))) pv++;
      let page = path();
      for (let k = 0; k < pv; k++) {
        if (k > 0) page = path();
        steps.push([eventTypes.pageview, page, null]);
        if (chance(0.16)) steps.push([eventTypes.custom, page, eventNames()]);
      }
      if (chance(0.08)) steps.push([eventTypes.outbound, page, outbound()]);
      if (funnel >= 2) {
        steps.push(
          [eventTypes.pageview, getStarted, null],
          [eventTypes.form_start, getStarted, null],
        );
        if (funnel === 3)
          steps.push(
            [eventTypes.form_submit, getStarted, null],
            [eventTypes.intake_submitted, getStarted, null],
            [eventTypes.pageview, thanks, null],
          );
      }
      let t = at;
      let pageviews = 0;
      for (const [k, [type, p, name]] of steps.entries()) {
        if (k > 0) t += 5 + Math.floor(rand() * 240);
        eventStmt.run(++eventId, t, sessionId, type, p, name);
        if (type === eventTypes.pageview) pageviews++;
        if (type === eventTypes.custom && chance(0.8)) {
          const n = 1 + Math.floor(rand() * 3);
          for (const key of propKeys.slice(0, n)) {
            propStmt.run(eventId, key, propValues());
            props++;
          }
        }
        if (visitor) {
          const d = dayOf(t);
          let set = days.get(d);
          if (!set) days.set(d, (set = new Set()));
          set.add(visitor);
        }
      }
      sessionStmt.run(
        sessionId,
        visitor,
        at,
        t,
        pageviews,
        steps.length - pageviews,
        steps[0]![1],
        steps.at(-1)![1],
        channel,
        referrer,
        engine,
        ...utm,
        country,
        region,
        city,
        browsers[b]!,
        versions[b]![versionPick()]!,
        os,
        device,
        kind,
        chance(0.04) ? 1 : 0,
        funnel,
      );
      flushDays(dayOf(at) - 1);
    }
  });
  while (at < endAt) batch(50_000);
  raw.transaction(() => flushDays(Infinity))();
  const rowsS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  buildRollups(raw);
  return {
    events: eventId,
    sessions: sessionId,
    props,
    seconds: { rows: rowsS, rollups: (performance.now() - t1) / 1000 },
    ids: { texas: stateRegions[0]!, pricing: paths[2]! },
  };
}

/** Every rollup from the raw rows, as the writer's deltas would have left them. */
function buildRollups(raw: SQLite.Database) {
  const visit = `count(*), sum(pageviews), sum(case when pageviews <= 1 then 1 else 0 end), sum(last_at - started_at), sum(events)`;
  const sessionDims: [number, string][] = [
    [dims.total, '0'],
    [dims.entry_page, 'entry_path'],
    [dims.channel, 'channel'],
    [dims.referrer, 'referrer'],
    [dims.engine, 'engine'],
    [dims.utm_source, 'utm_source'],
    [dims.utm_medium, 'utm_medium'],
    [dims.utm_campaign, 'utm_campaign'],
    [dims.country, 'country'],
    [dims.region, 'region'],
    [dims.city, 'city'],
    [dims.browser, 'browser'],
    [dims.browser_version, 'browser_version'],
    [dims.os, 'os'],
    [dims.device, 'device'],
    [dims.visitor_kind, 'visitor_kind'],
    [dims.audience, 'client'],
  ];
  const into =
    'insert into analytics_rollup (dim, hour, key, visits, pageviews, bounces, duration, events)';
  raw.transaction(() => {
    for (const [dim, col] of sessionDims) {
      raw.exec(`${into} select ${dim}, started_at / 3600, ${col}, ${visit} from analytics_sessions
        where ${col} is not null group by 2, 3`);
    }
    raw.exec(`${into} select ${dims.exit_page}, started_at / 3600, exit_path, count(*), 0, 0, 0, 0
      from analytics_sessions where exit_path is not null group by 2, 3`);
    for (const step of [1, 2, 3]) {
      raw.exec(`${into} select ${dims.funnel}, started_at / 3600, ${step}, count(*), 0, 0, 0, 0
        from analytics_sessions where funnel >= ${step} group by 2`);
    }
    // Page views and events count in the hour they happened.
    for (const [dim, type, col, pageviews, events] of [
      [dims.page, eventTypes.pageview, 'path', 'count(*)', '0'],
      [dims.event, eventTypes.custom, 'name', '0', 'count(*)'],
      [dims.outbound, eventTypes.outbound, 'name', '0', 'count(*)'],
    ] as const) {
      raw.exec(`${into} select ${dim}, at / 3600, ${col}, 0, ${pageviews}, 0, 0, ${events}
        from analytics_events where type = ${type} group by 2, 3`);
    }
    raw.exec(`insert into analytics_prop_rollup (name, hour, prop_key, prop_value, events)
      select e.name, e.at / 3600, p.prop_key, p.prop_value, count(*)
      from analytics_event_props p join analytics_events e on e.id = p.event_id group by 1, 2, 3, 4`);
  })();
}
