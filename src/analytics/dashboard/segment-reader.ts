import { eventTypes, type Dim } from '../codes.js';
import {
  DAY_VISITORS,
  eventColumns as E,
  propColumns as P,
  visitColumns as V,
  type Column,
} from '../segments/codec.js';
import { sketchOf, type DistinctCounter } from '../segments/distinct.js';
import type { SegmentMeta, SegmentStore } from '../segments/store.js';
import {
  eventFilters,
  isSessionDim,
  type FilterDim,
  type Filters,
  type Measures,
  type Ranked,
  type SessionDim,
  type Span,
} from './filters.js';

// Filtered panels over closed days' segments (docs/decisions/014-*.md): the same numbers the SQL
// of rows.ts gives for the visits that started in the span, counted by walking typed arrays.
// Every read returns every key; repository.ts adds the rows' share, ranks and cuts.

const visitCol: Record<SessionDim, number> = {
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
/** Columns that are dictionary ids, null in the table and 0 here; a panel leaves nulls out. */
const coded = new Set<SessionDim>(['channel', 'device', 'visitor_kind', 'audience']);
const eventPanels = {
  page: { type: eventTypes.pageview, col: E.path },
  event: { type: eventTypes.custom, col: E.name },
  outbound: { type: eventTypes.outbound, col: E.name },
} as const;

type Cols = Map<number, Column>;
const col = (c: Cols, id: number) => c.get(id)!;

/** Columns a filter set (and a span cutting a day) needs to pick visits. */
function filterColumns(filters: Filters): number[] {
  const out: number[] = [V.start];
  for (const dim of Object.keys(filters) as FilterDim[]) {
    if (isSessionDim(dim)) out.push(visitCol[dim]);
    else out.push(E.visit, E.type, eventFilters[dim].column === 'path' ? E.path : E.name);
  }
  return out;
}

/** 1 for each visit of the segment that started in the span and passes every filter. */
function matching(
  store: SegmentStore,
  seg: SegmentMeta,
  c: Cols,
  span: Span,
  filters: Filters,
): Uint8Array {
  const n = seg.visits;
  // One slot past the visits: events of no visit point there, and it stays 0.
  const mask = new Uint8Array(n + 1).fill(1, 0, n);
  const [lo, hi] = [span.fromHour - seg.day * 24, span.toHour - seg.day * 24];
  if (lo > 0 || hi < 23) {
    const start = col(c, V.start);
    for (let i = 0; i < n; i++) {
      const h = Math.floor(start[i]! / 3600);
      if (h < lo || h > hi) mask[i] = 0;
    }
  }
  for (const [dim, key] of Object.entries(filters) as [FilterDim, number][]) {
    if (isSessionDim(dim)) {
      const values = col(c, visitCol[dim]);
      for (let i = 0; i < n; i++) if (values[i] !== key) mask[i] = 0;
      continue;
    }
    const { type, column } = eventFilters[dim];
    const [visit, types, keys] = [
      col(c, E.visit),
      col(c, E.type),
      col(c, column === 'path' ? E.path : E.name),
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
function eventStarts(store: SegmentStore, seg: SegmentMeta, visit: Column): Uint32Array {
  return store.derived(seg, 'starts', () => {
    const starts = new Uint32Array(seg.visits + 2);
    for (let j = 0; j < visit.length; j++) starts[visit[j]! + 1]!++;
    for (let i = 1; i < starts.length; i++) starts[i]! += starts[i - 1]!;
    return starts;
  });
}

/** Sums per key in arrays indexed by key (dictionary ids and codes are small and dense). */
class KeyedSums {
  visits = new Float64Array(256);
  pageviews = new Float64Array(256);
  bounces = new Float64Array(256);
  duration = new Float64Array(256);
  events = new Float64Array(256);

  room(key: number): void {
    if (key < this.visits.length) return;
    let size = this.visits.length;
    while (size <= key) size *= 2;
    for (const f of ['visits', 'pageviews', 'bounces', 'duration', 'events'] as const) {
      const grown = new Float64Array(size);
      grown.set(this[f]);
      this[f] = grown;
    }
  }

  rows(keep: (r: Ranked) => boolean): Ranked[] {
    const out: Ranked[] = [];
    for (let k = 0; k < this.visits.length; k++) {
      const r = {
        key: k,
        visits: this.visits[k]!,
        pageviews: this.pageviews[k]!,
        bounces: this.bounces[k]!,
        duration: this.duration[k]!,
        events: this.events[k]!,
      };
      if (keep(r)) out.push(r);
    }
    return out;
  }
}

export function createSegmentReader(store: SegmentStore) {
  /** The span's segments with the given columns and each one's matching visits. */
  async function scan(span: Span, filters: Filters, cols: number[]) {
    const segments = await store.list(Math.floor(span.fromHour / 24), Math.floor(span.toHour / 24));
    const loaded = await store.columns(segments, [
      ...new Set([...filterColumns(filters), ...cols]),
    ]);
    return segments.map((seg, i) => ({
      seg,
      c: loaded[i]!,
      mask: matching(store, seg, loaded[i]!, span, filters),
    }));
  }

  return {
    /** Whether any segment holds visits of the span's days (else the rows say everything). */
    async any(span: Span): Promise<boolean> {
      const list = await store.list(Math.floor(span.fromHour / 24), Math.floor(span.toHour / 24));
      return list.length > 0;
    },

    async totals(span: Span, filters: Filters): Promise<Measures> {
      const m = { visits: 0, pageviews: 0, bounces: 0, duration: 0 };
      for (const { seg, c, mask } of await scan(span, filters, [V.pageviews, V.duration])) {
        const [pv, dur] = [col(c, V.pageviews), col(c, V.duration)];
        for (let i = 0; i < seg.visits; i++) {
          if (!mask[i]) continue;
          m.visits++;
          m.pageviews += pv[i]!;
          if (pv[i]! <= 1) m.bounces++;
          m.duration += dur[i]!;
        }
      }
      return m;
    },

    /** Adds the visitor hashes of the matching visits. */
    async visitors(span: Span, filters: Filters, into: DistinctCounter): Promise<void> {
      for (const { seg, c, mask } of await scan(span, filters, [V.visitor])) {
        const v = col(c, V.visitor);
        for (let i = 0; i < seg.visits; i++) if (mask[i] && v[i]) into.add(v[i]!);
      }
    },

    /**
     * Adds the span's days' visitors (unfiltered: who was seen each day): each day's hashes
     * while the total is small, else each day's cached sketch.
     */
    async dayVisitors(span: Span, into: DistinctCounter, rowsCount: number): Promise<void> {
      const segments = await store.list(
        Math.floor(span.fromHour / 24),
        Math.floor(span.toHour / 24),
      );
      const total = segments.reduce((a, s) => a + s.dayVisitors, rowsCount);
      const lists = await store.columns(segments, [DAY_VISITORS]);
      segments.forEach((s, i) => {
        const hashes = lists[i]!.get(DAY_VISITORS)!;
        if (total <= 50_000) into.addAll(hashes);
        else into.merge(store.derived(s, 'hll', () => sketchOf(hashes)));
      });
    },

    async series(
      span: Span,
      filters: Filters,
      bucketHours: number,
    ): Promise<Map<number, { visits: number; pageviews: number }>> {
      // Masked visits lie in the span, so every bucket is in [0, buckets).
      const buckets = Math.floor((span.toHour - span.fromHour) / bucketHours) + 1;
      const [visits, pageviews] = [new Float64Array(buckets), new Float64Array(buckets)];
      for (const { seg, c, mask } of await scan(span, filters, [V.start, V.pageviews])) {
        const [start, pv] = [col(c, V.start), col(c, V.pageviews)];
        const first = seg.day * 24 - span.fromHour;
        for (let i = 0; i < seg.visits; i++) {
          if (!mask[i]) continue;
          const b = Math.floor((first + Math.floor(start[i]! / 3600)) / bucketHours);
          visits[b]!++;
          pageviews[b]! += pv[i]!;
        }
      }
      const out = new Map<number, { visits: number; pageviews: number }>();
      for (let b = 0; b < buckets; b++)
        if (visits[b]) out.set(b, { visits: visits[b]!, pageviews: pageviews[b]! });
      return out;
    },

    /** A panel under filters, every key. */
    async ranked(dim: Dim, span: Span, filters: Filters): Promise<Ranked[]> {
      if (isSessionDim(dim)) return byVisitColumn(dim, span, filters);
      if (dim === 'funnel') return funnel(span, filters);
      if (dim === 'page' || dim === 'event' || dim === 'outbound')
        return byEvent(dim, span, filters);
      throw new Error(`no filtered reading of ${dim}`);
    },

    /** Props of the matching visits' custom events: [name, key, value, events]. */
    async props(span: Span, filters: Filters): Promise<[number, number, number, number][]> {
      const cols = [E.visit, E.type, E.name, P.event, P.key, P.value];
      // name and key in one number (ids under 2^26 each), then value.
      const counts = new Map<number, Map<number, number>>();
      for (const { c, mask } of await scan(span, filters, cols)) {
        const [visit, type, name] = [col(c, E.visit), col(c, E.type), col(c, E.name)];
        const [event, key, value] = [col(c, P.event), col(c, P.key), col(c, P.value)];
        for (let p = 0; p < event.length; p++) {
          const e = event[p]!;
          if (!mask[visit[e]!] || type[e] !== eventTypes.custom) continue;
          const nk = name[e]! * 2 ** 26 + key[p]!;
          let inner = counts.get(nk);
          if (!inner) counts.set(nk, (inner = new Map<number, number>()));
          inner.set(value[p]!, (inner.get(value[p]!) ?? 0) + 1);
        }
      }
      const out: [number, number, number, number][] = [];
      for (const [nk, inner] of counts) {
        const [name, key] = [Math.floor(nk / 2 ** 26), nk % 2 ** 26];
        for (const [value, n] of inner) out.push([name, key, value, n]);
      }
      return out;
    },
  };

  async function byVisitColumn(dim: SessionDim, span: Span, filters: Filters): Promise<Ranked[]> {
    const id = visitCol[dim];
    const sums = new KeyedSums();
    for (const { seg, c, mask } of await scan(span, filters, [
      id,
      V.pageviews,
      V.duration,
      V.events,
    ])) {
      const [keys, pv, dur, ev] = [
        col(c, id),
        col(c, V.pageviews),
        col(c, V.duration),
        col(c, V.events),
      ];
      for (let i = 0; i < seg.visits; i++) {
        if (!mask[i]) continue;
        const k = keys[i]!;
        sums.room(k);
        sums.visits[k]!++;
        sums.pageviews[k]! += pv[i]!;
        if (pv[i]! <= 1) sums.bounces[k]!++;
        sums.duration[k]! += dur[i]!;
        sums.events[k]! += ev[i]!;
      }
    }
    return sums.rows((r) => r.visits > 0 && (coded.has(dim) || r.key !== 0));
  }

  async function funnel(span: Span, filters: Filters): Promise<Ranked[]> {
    const steps = [0, 0, 0];
    for (const { seg, c, mask } of await scan(span, filters, [V.funnel])) {
      const f = col(c, V.funnel);
      for (let i = 0; i < seg.visits; i++) {
        if (!mask[i]) continue;
        for (let k = 1; k <= 3 && k <= f[i]!; k++) steps[k - 1]!++;
      }
    }
    return steps.map((visits, i) => ({
      key: i + 1,
      visits,
      pageviews: 0,
      bounces: 0,
      duration: 0,
      events: 0,
    }));
  }

  async function byEvent(
    dim: keyof typeof eventPanels,
    span: Span,
    filters: Filters,
  ): Promise<Ranked[]> {
    const { type, col: keyCol } = eventPanels[dim];
    const sums = new KeyedSums();
    for (const { seg, c, mask } of await scan(span, filters, [E.visit, E.type, keyCol])) {
      const [types, keys] = [col(c, E.type), col(c, keyCol)];
      // Only the matching visits' stretches of events, not the whole day's.
      const starts = eventStarts(store, seg, col(c, E.visit));
      for (let i = 0; i < seg.visits; i++) {
        if (!mask[i]) continue;
        for (let j = starts[i]!; j < starts[i + 1]!; j++) {
          if (types[j] !== type) continue;
          sums.room(keys[j]!);
          sums.events[keys[j]!]!++;
        }
      }
    }
    return sums
      .rows((r) => r.events > 0)
      .map((r) => ({
        ...r,
        pageviews: dim === 'page' ? r.events : 0,
        events: dim === 'page' ? 0 : r.events,
      }));
  }
}
export type SegmentReader = ReturnType<typeof createSegmentReader>;
