import { eventTypes, type Dim } from '../codes.js';

// What the dashboard's readers share: filters, spans and the measures they return.

/** Session columns a filter or a filtered panel groups by; each mirrors a rollup dimension. */
export const sessionColumns = {
  entry_page: 'entry_path',
  exit_page: 'exit_path',
  channel: 'channel',
  referrer: 'referrer',
  engine: 'engine',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  country: 'country',
  region: 'region',
  city: 'city',
  browser: 'browser',
  browser_version: 'browser_version',
  os: 'os',
  device: 'device',
  visitor_kind: 'visitor_kind',
  audience: 'client',
} as const satisfies Partial<Record<Dim, string>>;
export type SessionDim = keyof typeof sessionColumns;

/**
 * Filters on what happened during a visit: visits with at least one event of this type whose
 * column has the key (a page viewed, a custom event sent). An `exists` over the visit's events,
 * served by the (session_id, type, path, name) index of migration 0018.
 */
export const eventFilters = {
  page: { type: eventTypes.pageview, column: 'path' },
  event: { type: eventTypes.custom, column: 'name' },
} as const satisfies Partial<Record<Dim, { type: number; column: 'path' | 'name' }>>;
export type EventDim = keyof typeof eventFilters;
export type FilterDim = SessionDim | EventDim;

/** Active filters: a dimension and its key (dictionary id or code). */
export type Filters = Partial<Record<FilterDim, number>>;
export const isSessionDim = (d: string): d is SessionDim => d in sessionColumns;

/** Hours and seconds of a range, both inclusive, in analytics time. */
export interface Span {
  fromHour: number;
  toHour: number;
}

export interface Measures {
  visits: number;
  pageviews: number;
  bounces: number;
  duration: number;
}
export interface Ranked extends Measures {
  key: number;
  events: number;
}

export const hasFilters = (f: Filters) => Object.keys(f).length > 0;
