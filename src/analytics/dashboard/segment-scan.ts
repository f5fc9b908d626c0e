import { eventColumns as E, visitColumns as V, type Column } from '../segments/codec.js';
import type { SegmentMeta, SegmentStore } from '../segments/store.js';
import {
  eventFilters,
  isSessionDim,
  type FilterDim,
  type Filters,
  type Ranked,
  type SessionDim,
  type Span,
} from './filters.js';

// The pieces segment-reader.ts walks segments with: which columns a filter needs, which visits
// of a segment match, where each visit's events start, and sums per key.

export const visitCol: Record<SessionDim, number> = {
  entry_page: V.entry_path,
  exit_page: V.exit_path,
  channel: V.channel,
  referrer: V.referrer,
  engine: V.engine,
  utm_source: V.utm_source,
  utm_medium: V.utm_medium,
  utm_campaign: V.utm_campaign,
  country: V.country,
  region: V.region,
  city: V.city,
  browser: V.browser,
  browser_version: V.browser_version,
  os: V.os,
  device: V.device,
  visitor_kind: V.visitor_kind,
  audience: V.client,
};
/**
 * Coded columns: never null, and 0 is a value. The others are dictionary ids, null in the table
 * and 0 in a segment, which a panel leaves out.
 */
export const coded = new Set<SessionDim>(['channel', 'device', 'visitor_kind', 'audience']);
export type Cols = Map<number, Column>;
export const col = (columns: Cols, id: number) => columns.get(id)!;

/** Whether the span starts or ends inside a day, so its edge days' visits are cut by start. */
export const cutsDays = (span: Span) => span.fromHour % 24 !== 0 || span.toHour % 24 !== 23;

/**
 * Columns a filter set (and a span cutting a day) needs to pick visits. The start column only
 * cuts partial days; the dashboard asks for whole days, so it is usually not read at all.
 */
export function filterColumns(filters: Filters, span: Span): number[] {
  const out: number[] = cutsDays(span) ? [V.start] : [];
  for (const dim of Object.keys(filters) as FilterDim[]) {
    if (isSessionDim(dim)) out.push(visitCol[dim]);
    else out.push(E.visit, E.type, eventFilters[dim].column === 'path' ? E.path : E.name);
  }
  return out;
}

/** 1 for each visit of the segment that started in the span and passes every filter. */
export function matching(
  store: SegmentStore,
  seg: SegmentMeta,
  columns: Cols,
  span: Span,
  filters: Filters,
): Uint8Array {
  const [lo, hi] = [span.fromHour - seg.day * 24, span.toHour - seg.day * 24];
  if (lo > 0 || hi < 23) return mask(store, seg, columns, filters, lo, hi);
  // Over the whole day the mask depends on the filters alone, and every panel of a filtered
  // page asks for it: kept like a column. Readers never write to it.
  const key = Object.entries(filters)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([dim, value]) => `${dim}=${value}`)
    .join('&');
  return store.derived(seg, `match:${key}`, () => mask(store, seg, columns, filters, lo, hi));
}

function mask(
  store: SegmentStore,
  seg: SegmentMeta,
  columns: Cols,
  filters: Filters,
  lo: number,
  hi: number,
): Uint8Array {
  const n = seg.visits;
  // One slot past the visits: events of no visit point there, and it stays 0.
  const mask = new Uint8Array(n + 1).fill(1, 0, n);
  if (lo > 0 || hi < 23) {
    const start = col(columns, V.start);
    for (let i = 0; i < n; i++) {
      const h = Math.floor(start[i]! / 3600);
      if (h < lo || h > hi) mask[i] = 0;
    }
  }
  for (const [dim, key] of Object.entries(filters) as [FilterDim, number][]) {
    if (isSessionDim(dim)) {
      const values = col(columns, visitCol[dim]);
      for (let i = 0; i < n; i++) if (values[i] !== key) mask[i] = 0;
      continue;
    }
    const { type, column } = eventFilters[dim];
    const [visit, types, keys] = [
      col(columns, E.visit),
      col(columns, E.type),
      col(columns, column === 'path' ? E.path : E.name),
    ];
    // Which visits had such an event: a scan of every event of the day, so kept like a column.
    const had = store.derived(seg, `had:${type}:${column}:${key}`, () => {
      const out = new Uint8Array(n + 1);
      for (let j = 0; j < visit.length; j++)
        if (types[j] === type && keys[j] === key) out[visit[j]!] = 1;
      return out;
    });
    for (let i = 0; i < n; i++) mask[i]! &= had[i]!;
  }
  return mask;
}

/** Where each visit's events start (events are stored by visit); the last entry is the count. */
export function eventStarts(store: SegmentStore, seg: SegmentMeta, visit: Column): Uint32Array {
  return store.derived(seg, 'starts', () => {
    const starts = new Uint32Array(seg.visits + 2);
    for (let j = 0; j < visit.length; j++) starts[visit[j]! + 1]!++;
    for (let i = 1; i < starts.length; i++) starts[i]! += starts[i - 1]!;
    return starts;
  });
}

/** Sums per key in arrays indexed by key (dictionary ids and codes are small and dense). */
export class KeyedSums {
  visits = new Float64Array(256);
  pageviews = new Float64Array(256);
  bounces = new Float64Array(256);
  duration = new Float64Array(256);
  events = new Float64Array(256);

  room(key: number): void {
    if (key < this.visits.length) return;
    let size = this.visits.length;
    while (size <= key) size *= 2;
    for (const measure of ['visits', 'pageviews', 'bounces', 'duration', 'events'] as const) {
      const grown = new Float64Array(size);
      grown.set(this[measure]);
      this[measure] = grown;
    }
  }

  rows(keep: (r: Ranked) => boolean): Ranked[] {
    const out: Ranked[] = [];
    for (let k = 0; k < this.visits.length; k++) {
      const row = {
        key: k,
        visits: this.visits[k]!,
        pageviews: this.pageviews[k]!,
        bounces: this.bounces[k]!,
        duration: this.duration[k]!,
        events: this.events[k]!,
      };
      if (keep(row)) out.push(row);
    }
    return out;
  }
}
