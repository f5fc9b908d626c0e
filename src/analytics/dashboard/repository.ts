import type { Db } from '../../db/database.js';
import { dayOf, toAt, type Dim } from '../codes.js';
import { visitorHash } from '../segments/codec.js';
import { DistinctCounter } from '../segments/distinct.js';
import { createSegmentStore, DEFAULT_CACHE_BYTES } from '../segments/store.js';
import { hasFilters, type Filters, type Measures, type Ranked, type Span } from './filters.js';
import { createRowsReader } from './rows.js';
import { createSegmentReader } from './segment-reader.js';

export * from './filters.js';

// The dashboard's reads (docs/decisions/010, 013 and 014-analytics-day-segments.md). Unfiltered
// panels come from the rollups, which count every visit. Filtered panels and unique visitors
// add two parts: the rows still in the tables (rows.ts, SQL) and the closed days' segments
// (segment-reader.ts); a visit is in exactly one of them, so the parts add up. Ranked lists are
// summed by key from both parts, then ranked and cut here.

const add = (a: Measures, b: Measures): Measures => ({
  visits: a.visits + b.visits,
  pageviews: a.pageviews + b.pageviews,
  bounces: a.bounces + b.bounces,
  duration: a.duration + b.duration,
});

/** Panels of events, ranked by what they count; filtered visit panels rank by visits. */
const eventPanels = new Set<Dim>(['page', 'event', 'outbound']);

function mergeRanked(parts: Ranked[][], order: 'visits' | 'pageviews' | 'events'): Ranked[] {
  const byKey = new Map<number, Ranked>();
  for (const row of parts.flat()) {
    const seen = byKey.get(row.key);
    byKey.set(
      row.key,
      seen ? { ...add(seen, row), key: row.key, events: seen.events + row.events } : { ...row },
    );
  }
  return [...byKey.values()].sort((a, b) => b[order] - a[order] || a.key - b.key);
}

export function createDashboardRepository(db: Db, opts: { cacheBytes?: number } = {}) {
  const rows = createRowsReader(db);
  const store = createSegmentStore(db, opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
  const segments = createSegmentReader(store);
  /** Filtered reads of a span no segment covers are the rows' alone, as before segments. */
  const rowsOnly = async (span: Span, filters: Filters) =>
    !hasFilters(filters) || !(await segments.any(span));

  return {
    /** Drops decoded segment columns (the benchmark's cold runs). */
    clearCache: () => store.cache.clear(),
    /** The segments with something in memory, and how many bytes of it. */
    cachedSegments: () => store.cachedSegments(),
    cachedBytes: () => store.cache.size,
    /** Reads the last year's most used segment columns into memory (segment-reader.ts). */
    warm: (now: Date) => segments.warm(dayOf(toAt(now.getTime()))),

    async totals(span: Span, filters: Filters): Promise<Measures> {
      if (await rowsOnly(span, filters)) return rows.totals(span, filters);
      return add(await rows.totals(span, filters), await segments.totals(span, filters));
    },

    /**
     * Distinct visitor ids over the span's days (unfiltered) or its matching visits (filtered).
     * Exact while under 50,000 ids, else a HyperLogLog estimate (src/analytics/segments/distinct.ts).
     */
    async visitors(span: Span, filters: Filters): Promise<number> {
      if (!(await segments.any(span))) return rows.visitors(span, filters);
      const counter = new DistinctCounter();
      const ids = await rows.visitorIds(span, filters);
      for (const id of ids) counter.add(visitorHash(id));
      if (hasFilters(filters)) await segments.visitors(span, filters, counter);
      else await segments.dayVisitors(span, counter, ids.length);
      return counter.count();
    },

    async series(span: Span, filters: Filters, bucketHours: number) {
      const fromRows = await rows.series(span, filters, bucketHours);
      if (await rowsOnly(span, filters)) return fromRows;
      const merged = await segments.series(span, filters, bucketHours);
      for (const r of fromRows) {
        const x = merged.get(r.bucket) ?? { visits: 0, pageviews: 0 };
        merged.set(r.bucket, { visits: x.visits + r.visits, pageviews: x.pageviews + r.pageviews });
      }
      return [...merged].map(([bucket, x]) => ({ bucket, ...x }));
    },

    async ranked(
      dim: Dim,
      span: Span,
      filters: Filters,
      order: 'visits' | 'pageviews' | 'events',
      limit: number,
    ): Promise<Ranked[]> {
      if (await rowsOnly(span, filters)) return rows.ranked(dim, span, filters, order, limit);
      const parts = [
        await rows.ranked(dim, span, filters, order, null),
        await segments.ranked(dim, span, filters),
      ];
      return mergeRanked(parts, eventPanels.has(dim) ? order : 'visits').slice(0, limit);
    },

    async props(span: Span, filters: Filters, limit: number) {
      if (await rowsOnly(span, filters)) return rows.props(span, filters, limit);
      const counts = new Map<string, number>();
      for (const p of await rows.props(span, filters, null))
        counts.set(`${p.name},${p.propKey},${p.propValue}`, p.events);
      for (const [name, key, value, n] of await segments.props(span, filters)) {
        const k = `${name},${key},${value}`;
        counts.set(k, (counts.get(k) ?? 0) + n);
      }
      return [...counts]
        .map(([k, events]) => {
          const [name, propKey, propValue] = k.split(',').map(Number) as [number, number, number];
          return { name, propKey, propValue, events };
        })
        .sort(
          (a, b) =>
            b.events - a.events ||
            a.name - b.name ||
            a.propKey - b.propKey ||
            a.propValue - b.propValue,
        )
        .slice(0, limit);
    },

    realtime: (nowAt: number) => rows.realtime(nowAt),
    labels: (ids: number[]) => rows.labels(ids),
  };
}
export type DashboardRepository = ReturnType<typeof createDashboardRepository>;
