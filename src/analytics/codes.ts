// The integer codes stored in the analytics tables (docs/decisions/010-analytics-storage.md).
// Codes are written to disk: never renumber one, only add.

/** Analytics times are whole seconds since this instant, so they fit a 4-byte integer until 2093. */
export const ANALYTICS_EPOCH_MS = Date.UTC(2025, 0, 1);
/** A session ends after this long without an event. */
export const SESSION_GAP_S = 30 * 60;

/** Seconds since the analytics epoch. */
export const toAt = (ms: number): number => Math.floor((ms - ANALYTICS_EPOCH_MS) / 1000);
export const atToDate = (at: number): Date => new Date(ANALYTICS_EPOCH_MS + at * 1000);
/** Rollup bucket: whole hours since the analytics epoch. */
export const hourOf = (at: number): number => Math.floor(at / 3600);
/** Visitor-day bucket: whole UTC days since the analytics epoch. */
export const dayOf = (at: number): number => Math.floor(at / 86_400);
export const dayToDate = (day: number): Date => new Date(ANALYTICS_EPOCH_MS + day * 86_400_000);

export const eventTypes = {
  pageview: 1,
  custom: 2,
  outbound: 3,
  form_start: 4,
  form_submit: 5,
  intake_submitted: 6,
} as const;
export type EventType = keyof typeof eventTypes;

export const channels = {
  direct: 0,
  organic_search: 1,
  paid_search: 2,
  social: 3,
  email: 4,
  referral: 5,
  campaign: 6,
} as const;
export type Channel = keyof typeof channels;

export const devices = { unknown: 0, desktop: 1, mobile: 2, tablet: 3, tv: 4 } as const;
export type Device = keyof typeof devices;

/** Steps of the funnel a visit can reach, in order; a session keeps the furthest. */
export const funnelSteps = { landing: 1, form_start: 2, intake_submitted: 3 } as const;

/** Kinds of string in analytics_dict; each id is unique across kinds. */
export const dictKinds = {
  path: 1,
  referrer: 2,
  engine: 3,
  utm_source: 4,
  utm_medium: 5,
  utm_campaign: 6,
  country: 7,
  region: 8,
  city: 9,
  browser: 10,
  browser_version: 11,
  os: 12,
  event_name: 13,
  prop_key: 14,
  prop_value: 15,
  outbound_host: 16,
} as const;
export type DictKind = keyof typeof dictKinds;

/**
 * Dimensions of analytics_rollup. `key` is a dictionary id for the dictionary-encoded ones, the
 * code above for the coded ones, and 0 for `total`. Visit measures (visits, pageviews, bounces,
 * duration) are counted in the hour the visit started; `page`, `event` and `outbound` rows count
 * page views and events in the hour they happened.
 */
export const dims = {
  total: 0,
  page: 1,
  entry_page: 2,
  exit_page: 3,
  channel: 4,
  referrer: 5,
  engine: 6,
  utm_source: 7,
  utm_medium: 8,
  utm_campaign: 9,
  country: 10,
  region: 11,
  city: 12,
  browser: 13,
  browser_version: 14,
  os: 15,
  device: 16,
  /** key: 0 unknown (no visitor id), 1 new, 2 returning */
  visitor_kind: 17,
  /** key: 0 prospect, 1 existing client */
  audience: 18,
  event: 19,
  funnel: 20,
  outbound: 21,
} as const;
export type Dim = keyof typeof dims;

export const visitorKinds = { unknown: 0, new: 1, returning: 2 } as const;
