import type { Db } from '../../db/database.js';
import { DAY_VISITORS, decodeColumn, eventColumns, propColumns, type Column } from './codec.js';

// Reads segment columns for the dashboard and keeps them decoded in memory. A segment never
// changes once built (the purger only deletes it), so a cached column is never stale; the cache
// is bounded by bytes and drops the least recently used entries, and, hourly, deleted segments.

export interface SegmentMeta {
  id: number;
  day: number;
  visits: number;
  events: number;
  props: number;
  dayVisitors: number;
}

/** Default cache bound: the columns a year of 10M events needs are ~100–200 MiB. */
export const DEFAULT_CACHE_BYTES = 256 * 2 ** 20;

export class LruBytes<V extends { byteLength: number }> {
  private readonly map = new Map<string, V>();
  private bytes = 0;
  constructor(private readonly max: number) {}

  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v === undefined) return undefined;
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }

  set(k: string, v: V): void {
    const old = this.map.get(k);
    if (old) this.bytes -= old.byteLength;
    this.map.delete(k);
    this.map.set(k, v);
    this.bytes += v.byteLength;
    for (const [key, value] of this.map) {
      if (this.bytes <= this.max || key === k) break;
      this.map.delete(key);
      this.bytes -= value.byteLength;
    }
  }

  deleteWhere(drop: (key: string) => boolean): void {
    for (const [k, v] of this.map) {
      if (!drop(k)) continue;
      this.map.delete(k);
      this.bytes -= v.byteLength;
    }
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.bytes;
  }
}

const lengthOf = (m: SegmentMeta, col: number) =>
  col === DAY_VISITORS
    ? m.dayVisitors
    : col >= propColumns.event
      ? m.props
      : col >= eventColumns.visit
        ? m.events
        : m.visits;

export function createSegmentStore(
  db: Db,
  cacheBytes = DEFAULT_CACHE_BYTES,
  opts: { sweepEveryMs?: number } = {},
) {
  const cache = new LruBytes<Column | Uint8Array>(cacheBytes);
  const key = (id: number, col: number | string) => `${id}:${col}`;
  const segmentOf = (k: string) => Number(k.slice(0, k.indexOf(':')));
  const sweepEveryMs = opts.sweepEveryMs ?? 3_600_000;
  let sweptAt = Date.now();

  /**
   * Drops what is cached of segments the purger has deleted. They are never read again, but the
   * policy's 13 months should hold in memory too, not only until the cache happens to evict them.
   */
  async function sweep(): Promise<void> {
    if (Date.now() - sweptAt < sweepEveryMs) return;
    sweptAt = Date.now();
    const ids = new Set(
      (await db.selectFrom('analytics_segments').select('id').execute()).map((r) => Number(r.id)),
    );
    cache.deleteWhere((k) => !ids.has(segmentOf(k)));
  }

  /** The segments of days [fromDay, toDay], by day. */
  async function list(fromDay: number, toDay: number): Promise<SegmentMeta[]> {
    await sweep();
    const rows = await db
      .selectFrom('analytics_segments')
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .select(['id', 'day', 'visits', 'events', 'props', 'day_visitors'])
      .orderBy('day')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      day: Number(r.day),
      visits: Number(r.visits),
      events: Number(r.events),
      props: Number(r.props),
      dayVisitors: Number(r.day_visitors),
    }));
  }

  /**
   * The given columns of each segment: from the cache, and only what it lacks from the database,
   * in one read per 500 segments missing the same columns. A panel's first read of a rare column
   * thus reads that column alone, not again the measures and filters the cache already holds.
   */
  async function columns(segments: SegmentMeta[], cols: number[]): Promise<Map<number, Column>[]> {
    // Filled from the cache first and then from the reads, so a cache smaller than one span's
    // columns still answers (it just keeps fewer of them).
    const out = segments.map((s) => {
      const m = new Map<number, Column>();
      for (const c of cols) {
        const hit = cache.get(key(s.id, c));
        if (hit) m.set(c, hit);
      }
      return m;
    });
    const lacking = new Map<string, { cols: number[]; segments: number[] }>();
    segments.forEach((_, j) => {
      const need = cols.filter((c) => !out[j]!.has(c));
      if (need.length === 0) return;
      const k = need.join();
      const group = lacking.get(k) ?? { cols: need, segments: [] };
      group.segments.push(j);
      lacking.set(k, group);
    });
    for (const group of lacking.values()) {
      for (let i = 0; i < group.segments.length; i += 500) {
        const chunk = group.segments.slice(i, i + 500);
        const byId = new Map(chunk.map((j) => [segments[j]!.id, j]));
        const rows = await db
          .selectFrom('analytics_segment_columns')
          .where('segment_id', 'in', [...byId.keys()])
          .where('col', 'in', group.cols)
          .select(['segment_id', 'col', 'width', 'data'])
          .execute();
        for (const r of rows) {
          const j = byId.get(Number(r.segment_id))!;
          const [col, width] = [Number(r.col), Number(r.width)];
          const length = width ? r.data.byteLength / width : lengthOf(segments[j]!, col);
          const values = decodeColumn(r.data, width, length);
          cache.set(key(segments[j]!.id, col), values);
          out[j]!.set(col, values);
        }
      }
    }
    out.forEach((m, j) => {
      if (m.size < cols.length)
        throw new Error(`analytics segment ${segments[j]!.day}: a column is missing`);
    });
    return out;
  }

  /**
   * Reads `cols` of the days [fromDay, toDay] into the cache ahead of the dashboard, newest day
   * first, one day per read and a yield to the event loop between days, until the cache holds
   * `budget` bytes (so warming never evicts what it warmed). `each` can derive more per day.
   * Then touches them oldest first, so the newest are the last the cache would evict.
   */
  async function warm(
    fromDay: number,
    toDay: number,
    cols: number[],
    opts: { budget?: number; each?: (s: SegmentMeta, c: Map<number, Column>) => void } = {},
  ): Promise<SegmentMeta[]> {
    const budget = opts.budget ?? cacheBytes * 0.75;
    const warmed: SegmentMeta[] = [];
    for (const s of (await list(fromDay, toDay)).reverse()) {
      if (cache.size >= budget) break;
      const [c] = await columns([s], cols);
      opts.each?.(s, c!);
      warmed.push(s);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const bySegment = new Map(warmed.map((s) => [s.id, [] as string[]]));
    for (const k of cache.keys()) bySegment.get(segmentOf(k))?.push(k);
    for (const s of warmed.toReversed()) for (const k of bySegment.get(s.id)!) cache.get(k);
    return warmed;
  }

  return {
    cache,

    /** The segments whose columns (or what is derived from them) are in memory. */
    cachedSegments: (): Set<number> => new Set([...cache.keys()].map(segmentOf)),
    list,
    columns,
    warm,

    /** What `derived` keeps under `name`, if it is in memory. */
    cached: <V extends Column>(s: SegmentMeta, name: string): V | undefined =>
      cache.get(key(s.id, name)) as V | undefined,

    /**
     * Something derived from a segment (a sketch, event offsets, the visits that viewed a page),
     * computed once and cached with its columns: a segment never changes, so neither does it.
     */
    derived<V extends Column>(s: SegmentMeta, name: string, make: () => V): V {
      const k = key(s.id, name);
      const hit = cache.get(k) as V | undefined;
      if (hit) return hit;
      const v = make();
      cache.set(k, v);
      return v;
    },
  };
}
export type SegmentStore = ReturnType<typeof createSegmentStore>;
