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
import { createPropIndex } from './segment-props.js';
import {
  isSessionDim,
  type Filters,
  type Measures,
  type Ranked,
  type SessionDim,
  type Span,
} from './filters.js';
import {
  coded,
  col,
  cutsDays,
  eventStarts,
  filterColumns,
  KeyedSums,
  matching,
  visitCol,
} from './segment-scan.js';

// Filtered panels over closed days' segments (docs/decisions/014-*.md): the same numbers the SQL
// of rows.ts gives for the visits that started in the span, counted by walking typed arrays.
// Every read returns every key; repository.ts adds the rows' share, ranks and cuts.

const eventPanels = {
  page: { type: eventTypes.pageview, col: E.path },
  event: { type: eventTypes.custom, col: E.name },
  outbound: { type: eventTypes.outbound, col: E.name },
} as const;

/**
 * What a filtered overview reads most, warmed ahead (`warm`): every panel's measures, the
 * common filters, the event panels' and props' columns, and the day visitors that the
 * unfiltered visitor count reads. Rarer panels' columns (UTM, city, browser version, ...) are
 * warmed only if room is left, else read on first use.
 */
const warmColumns = [
  V.pageviews,
  V.duration,
  V.events,
  V.visitor,
  V.funnel,
  V.device,
  V.channel,
  V.country,
  V.region,
  V.entry_path,
  V.exit_path,
  E.visit,
  E.type,
  E.path,
  E.name,
  P.event,
  P.key,
  P.value,
  DAY_VISITORS,
];

/** The other panels' visit columns. */
const rarerColumns = Object.values(visitCol).filter((column) => !warmColumns.includes(column));

export function createSegmentReader(store: SegmentStore) {
  const propIndex = createPropIndex(store);
  const daySketch = (seg: SegmentMeta, hashes: Column) =>
    store.derived(seg, 'hll', () => sketchOf(hashes));

  /** The span's segments with the given columns and each one's matching visits. */
  async function scan(span: Span, filters: Filters, cols: number[]) {
    const segments = await store.list(Math.floor(span.fromHour / 24), Math.floor(span.toHour / 24));
    const loaded = await store.columns(segments, [
      ...new Set([...filterColumns(filters, span), ...cols]),
    ]);
    return segments.map((seg, i) => ({
      seg,
      columns: loaded[i]!,
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
      const sums = { visits: 0, pageviews: 0, bounces: 0, duration: 0 };
      for (const { seg, columns, mask } of await scan(span, filters, [V.pageviews, V.duration])) {
        const [pv, dur] = [col(columns, V.pageviews), col(columns, V.duration)];
        for (let i = 0; i < seg.visits; i++) {
          if (!mask[i]) continue;
          sums.visits++;
          sums.pageviews += pv[i]!;
          if (pv[i]! <= 1) sums.bounces++;
          sums.duration += dur[i]!;
        }
      }
      return sums;
    },

    /** Adds the visitor hashes of the matching visits. */
    async visitors(span: Span, filters: Filters, into: DistinctCounter): Promise<void> {
      for (const { seg, columns, mask } of await scan(span, filters, [V.visitor])) {
        const visitors = col(columns, V.visitor);
        for (let i = 0; i < seg.visits; i++) if (mask[i] && visitors[i]) into.add(visitors[i]!);
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
      const total = segments.reduce((sum, seg) => sum + seg.dayVisitors, rowsCount);
      const lists = await store.columns(segments, [DAY_VISITORS]);
      segments.forEach((seg, i) => {
        const hashes = lists[i]!.get(DAY_VISITORS)!;
        if (total <= 50_000) into.addAll(hashes);
        else into.merge(daySketch(seg, hashes));
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
      // Buckets of whole days over whole days: a visit's bucket is its day's, whatever its hour.
      const byHour = cutsDays(span) || bucketHours % 24 !== 0;
      const cols = byHour ? [V.start, V.pageviews] : [V.pageviews];
      for (const { seg, columns, mask } of await scan(span, filters, cols)) {
        const [start, pv] = [byHour ? col(columns, V.start) : null, col(columns, V.pageviews)];
        const first = seg.day * 24 - span.fromHour;
        for (let i = 0; i < seg.visits; i++) {
          if (!mask[i]) continue;
          const bucket = Math.floor(
            (first + (start ? Math.floor(start[i]! / 3600) : 0)) / bucketHours,
          );
          visits[bucket]!++;
          pageviews[bucket]! += pv[i]!;
        }
      }
      const out = new Map<number, { visits: number; pageviews: number }>();
      for (let b = 0; b < buckets; b++)
        if (visits[b]) out.set(b, { visits: visits[b]!, pageviews: pageviews[b]! });
      return out;
    },

    /**
     * Reads the most used columns of the year to `today` into memory, newest day first, with
     * each day's event offsets, visitor sketch and prop pairs, so that the first long read
     * after a start or a new day's segment is not cold. Returns the days warmed.
     */
    async warm(today: number): Promise<number> {
      const warmed = await store.warm(today - 364, today, warmColumns, {
        each: (seg, columns) => {
          eventStarts(store, seg, col(columns, E.visit));
          daySketch(seg, col(columns, DAY_VISITORS));
          propIndex.pairsOf(seg, columns);
        },
      });
      // Then, with room left (a year of a smaller site), the rarer panels' columns too.
      await store.warm(today - 364, today, rarerColumns);
      return warmed.length;
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
      const scanned = await scan(span, filters, []);
      const pairs = await propIndex.pairs(scanned.map((part) => part.seg));
      return propIndex.count(
        pairs,
        scanned.map((part) => part.mask),
      );
    },
  };

  async function byVisitColumn(dim: SessionDim, span: Span, filters: Filters): Promise<Ranked[]> {
    const id = visitCol[dim];
    const sums = new KeyedSums();
    for (const { seg, columns, mask } of await scan(span, filters, [
      id,
      V.pageviews,
      V.duration,
      V.events,
    ])) {
      const [keys, pv, dur, ev] = [
        col(columns, id),
        col(columns, V.pageviews),
        col(columns, V.duration),
        col(columns, V.events),
      ];
      for (let i = 0; i < seg.visits; i++) {
        if (!mask[i]) continue;
        const key = keys[i]!;
        sums.room(key);
        sums.visits[key]!++;
        sums.pageviews[key]! += pv[i]!;
        if (pv[i]! <= 1) sums.bounces[key]!++;
        sums.duration[key]! += dur[i]!;
        sums.events[key]! += ev[i]!;
      }
    }
    return sums.rows((r) => r.visits > 0 && (coded.has(dim) || r.key !== 0));
  }

  async function funnel(span: Span, filters: Filters): Promise<Ranked[]> {
    const steps = [0, 0, 0];
    for (const { seg, columns, mask } of await scan(span, filters, [V.funnel])) {
      const funnel = col(columns, V.funnel);
      for (let i = 0; i < seg.visits; i++) {
        if (!mask[i]) continue;
        for (let k = 1; k <= 3 && k <= funnel[i]!; k++) steps[k - 1]!++;
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
    for (const { seg, columns, mask } of await scan(span, filters, [E.visit, E.type, keyCol])) {
      const [types, keys] = [col(columns, E.type), col(columns, keyCol)];
      // Only the matching visits' stretches of events, not the whole day's.
      const starts = eventStarts(store, seg, col(columns, E.visit));
      // The hottest loop of a filtered page (~10M events a year at 10M): locals, no calls.
      let counts = sums.events;
      for (let i = 0; i < seg.visits; i++) {
        if (!mask[i]) continue;
        for (let j = starts[i]!, end = starts[i + 1]!; j < end; j++) {
          if (types[j] !== type) continue;
          const key = keys[j]!;
          if (key >= counts.length) {
            sums.room(key);
            counts = sums.events;
          }
          counts[key]!++;
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
