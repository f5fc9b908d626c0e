import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { dims, eventTypes, type Dim } from '../codes.js';
import {
  eventFilters,
  hasFilters,
  isSessionDim,
  sessionColumns,
  type FilterDim,
  type Filters,
  type Measures,
  type Ranked,
  type SessionDim,
  type Span,
} from './filters.js';

// The dashboard's SQL (docs/decisions/010-analytics-storage.md, "How each dashboard panel
// reads", and 013): unfiltered panels read the rollups; filtered panels read the visits and
// events still in the row tables (closed days have moved to segments, decision 014, read by
// segment-reader.ts). `limit: null` returns every key, for merging with segments.
const num = (value: unknown): number => Number(value ?? 0);
const measures = (row: Record<string, unknown>): Measures => ({
  visits: num(row.visits),
  pageviews: num(row.pageviews),
  bounces: num(row.bounces),
  duration: num(row.duration),
});
const atFrom = (span: Span) => span.fromHour * 3600;
const atTo = (span: Span) => span.toHour * 3600 + 3599;

/** Events per custom event name, prop key and value over the span's hours, from the rollup. */
export const propRollupSums = (db: Db, span: Span) =>
  db
    .selectFrom('analytics_prop_rollup')
    .where('hour', '>=', span.fromHour)
    .where('hour', '<=', span.toHour)
    .select((eb) => ['name', 'prop_key', 'prop_value', eb.fn.sum<number>('events').as('events')])
    // In the order of analytics_prop_rollup_key_idx (migration 0021): no sort to group.
    .groupBy(['name', 'prop_key', 'prop_value']);

export function createRowsReader(db: Db) {
  /** Sessions that started in the span and match every filter. */
  const filteredSessions = (span: Span, filters: Filters) => {
    let q = db
      .selectFrom('analytics_sessions as s')
      .where('s.started_at', '>=', atFrom(span))
      .where('s.started_at', '<=', atTo(span));
    for (const [dim, key] of Object.entries(filters) as [FilterDim, number][]) {
      if (isSessionDim(dim)) {
        q = q.where(`s.${sessionColumns[dim]}`, '=', key);
        continue;
      }
      const { type, column } = eventFilters[dim];
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('analytics_events as fe')
            .select(sql.lit(1).as('one'))
            .whereRef('fe.session_id', '=', 's.id')
            .where('fe.type', '=', type)
            .where(`fe.${column}`, '=', key),
        ),
      );
    }
    return q;
  };

  return {
    async totals(span: Span, filters: Filters): Promise<Measures> {
      if (!hasFilters(filters)) {
        const row = await db
          .selectFrom('analytics_rollup')
          .where('dim', '=', dims.total)
          .where('hour', '>=', span.fromHour)
          .where('hour', '<=', span.toHour)
          .select((eb) => [
            eb.fn.sum<number>('visits').as('visits'),
            eb.fn.sum<number>('pageviews').as('pageviews'),
            eb.fn.sum<number>('bounces').as('bounces'),
            eb.fn.sum<number>('duration').as('duration'),
          ])
          .executeTakeFirstOrThrow();
        return measures(row);
      }
      const row = await filteredSessions(span, filters)
        .select((eb) => [
          eb.fn.countAll<number>().as('visits'),
          eb.fn.sum<number>('s.pageviews').as('pageviews'),
          sql<number>`sum(case when s.pageviews <= 1 then 1 else 0 end)`.as('bounces'),
          sql<number>`sum(s.last_at - s.started_at)`.as('duration'),
        ])
        .executeTakeFirstOrThrow();
      return measures(row);
    },

    /** Distinct visitor ids over the span's days (unfiltered) or its sessions (filtered). */
    async visitors(span: Span, filters: Filters): Promise<number> {
      if (!hasFilters(filters)) {
        const row = await db
          .selectFrom('analytics_visitor_days')
          .where('day', '>=', Math.floor(span.fromHour / 24))
          .where('day', '<=', Math.floor(span.toHour / 24))
          .select(sql<number>`count(distinct visitor)`.as('n'))
          .executeTakeFirstOrThrow();
        return num(row.n);
      }
      // Over an expression, not the bare column: given count(distinct visitor), SQLite's planner
      // would rather walk the whole (visitor, last_at) index in order than read the span's visits
      // by started_at (a 100-fold loss on a short span of a large table).
      const row = await filteredSessions(span, filters)
        .select(sql<number>`count(distinct s.visitor || '')`.as('n'))
        .executeTakeFirstOrThrow();
      return num(row.n);
    },

    /** The distinct visitor ids counted by `visitors`, to merge with segments' hashes. */
    async visitorIds(span: Span, filters: Filters): Promise<string[]> {
      const rows = hasFilters(filters)
        ? await filteredSessions(span, filters)
            .where('s.visitor', 'is not', null)
            .select('s.visitor as v')
            .distinct()
            .execute()
        : await db
            .selectFrom('analytics_visitor_days')
            .where('day', '>=', Math.floor(span.fromHour / 24))
            .where('day', '<=', Math.floor(span.toHour / 24))
            .select('visitor as v')
            .distinct()
            .execute();
      return rows.map((row) => row.v!);
    },

    /** Visits and page views per bucket of `bucketHours` hours, from the span's first hour. */
    async series(
      span: Span,
      filters: Filters,
      bucketHours: number,
    ): Promise<{ bucket: number; visits: number; pageviews: number }[]> {
      const rows = hasFilters(filters)
        ? await filteredSessions(span, filters)
            .select([
              sql<number>`(s.started_at / 3600 - ${sql.lit(span.fromHour)}) / ${sql.lit(bucketHours)}`.as(
                'bucket',
              ),
              sql<number>`count(*)`.as('visits'),
              sql<number>`sum(s.pageviews)`.as('pageviews'),
            ])
            .groupBy(sql`1`)
            .execute()
        : await db
            .selectFrom('analytics_rollup')
            .where('dim', '=', dims.total)
            .where('hour', '>=', span.fromHour)
            .where('hour', '<=', span.toHour)
            .select([
              sql<number>`(hour - ${sql.lit(span.fromHour)}) / ${sql.lit(bucketHours)}`.as(
                'bucket',
              ),
              sql<number>`sum(visits)`.as('visits'),
              sql<number>`sum(pageviews)`.as('pageviews'),
            ])
            .groupBy(sql`1`)
            .execute();
      return rows.map((row) => ({
        bucket: Math.floor(num(row.bucket)),
        visits: num(row.visits),
        pageviews: num(row.pageviews),
      }));
    },

    /** One rollup dimension ranked by `order`, top `limit` keys. */
    async ranked(
      dim: Dim,
      span: Span,
      filters: Filters,
      order: 'visits' | 'pageviews' | 'events',
      limit: number | null,
    ): Promise<Ranked[]> {
      if (hasFilters(filters)) return filteredRanked(dim, span, filters, limit);
      const rows = await db
        .selectFrom('analytics_rollup')
        .where('dim', '=', dims[dim])
        .where('hour', '>=', span.fromHour)
        .where('hour', '<=', span.toHour)
        .select((eb) => [
          'key',
          eb.fn.sum<number>('visits').as('visits'),
          eb.fn.sum<number>('pageviews').as('pageviews'),
          eb.fn.sum<number>('bounces').as('bounces'),
          eb.fn.sum<number>('duration').as('duration'),
          eb.fn.sum<number>('events').as('events'),
        ])
        .groupBy('key')
        // An exit page a visit moved on from nets to zero: it is no longer anyone's exit.
        .having(sql`sum(${sql.ref(order)})`, '>', 0)
        .orderBy(sql`sum(${sql.ref(order)})`, 'desc')
        .orderBy('key')
        .$if(limit !== null, (q) => q.limit(limit!))
        .execute();
      return rows.map((row) => ({ key: num(row.key), ...measures(row), events: num(row.events) }));
    },

    /**
     * Custom-event props: unfiltered from the prop rollup (events in the span's hours); filtered,
     * from the props of the custom events of the filtered visits, since the rollup has no
     * session attributes.
     */
    async props(span: Span, filters: Filters, limit: number | null) {
      const rows = hasFilters(filters)
        ? // Visits, then their custom events (session index), then props (primary key). A cross
          // join keeps that order on SQLite, whose planner otherwise scans every prop ever
          // stored and looks up its event and visit (3.6 s for 12 months at 10M events).
          await filteredSessions(span, filters)
            .crossJoin('analytics_events as e')
            .crossJoin('analytics_event_props as p')
            .whereRef('e.session_id', '=', 's.id')
            .where('e.type', '=', eventTypes.custom)
            .whereRef('p.event_id', '=', 'e.id')
            .select([
              'e.name as name',
              'p.prop_key as prop_key',
              'p.prop_value as prop_value',
              sql<number>`count(*)`.as('events'),
            ])
            .groupBy(['e.name', 'p.prop_key', 'p.prop_value'])
            .orderBy(sql`count(*)`, 'desc')
            .orderBy('e.name')
            .orderBy('p.prop_key')
            .orderBy('p.prop_value')
            .$if(limit !== null, (q) => q.limit(limit!))
            .execute()
        : await propRollupSums(db, span)
            .orderBy(sql`sum(events)`, 'desc')
            .orderBy('name')
            .orderBy('prop_key')
            .orderBy('prop_value')
            .$if(limit !== null, (q) => q.limit(limit!))
            .execute();
      return rows.map((row) => ({
        name: num(row.name),
        propKey: num(row.prop_key),
        propValue: num(row.prop_value),
        events: num(row.events),
      }));
    },

    /** The last 30 minutes: visits still active and page views, from sessions and events. */
    async realtime(nowAt: number) {
      const since = nowAt - 1800;
      // last_at has no index of its own; bounding the start by a day lets the started_at index
      // find the candidates instead of scanning every visit (a visit active now that began over
      // a day ago is a robot's, not worth an index on every visit).
      const s = await db
        .selectFrom('analytics_sessions')
        .where('started_at', '>=', since - 86_400)
        .where('last_at', '>=', since)
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      const pages = await db
        .selectFrom('analytics_events')
        .where('at', '>=', since)
        .where('type', '=', 1)
        .select(['path', sql<number>`count(*)`.as('n')])
        .groupBy('path')
        .orderBy(sql`count(*)`, 'desc')
        .orderBy('path')
        .limit(10)
        .execute();
      return {
        visits: num(s.n),
        pages: pages.map((p) => ({ key: num(p.path), pageviews: num(p.n) })),
      };
    },

    /** Labels for dictionary ids. */
    async labels(ids: number[]): Promise<Map<number, string>> {
      const unique = [...new Set(ids)];
      const out = new Map<number, string>();
      for (let i = 0; i < unique.length; i += 500) {
        const chunk = unique.slice(i, i + 500);
        const rows = await db
          .selectFrom('analytics_dict')
          .where('id', 'in', chunk)
          .select(['id', 'value'])
          .execute();
        for (const row of rows) out.set(num(row.id), row.value);
      }
      return out;
    },
  };

  /** A panel under filters, counted from sessions (and their events for page/event panels). */
  async function filteredRanked(
    dim: Dim,
    span: Span,
    filters: Filters,
    limit: number | null,
  ): Promise<Ranked[]> {
    const base = filteredSessions(span, filters);
    if (dim in sessionColumns) {
      const col = sessionColumns[dim as SessionDim];
      const rows = await base
        .where(`s.${col}`, 'is not', null)
        .select([
          sql<number>`s.${sql.raw(col)}`.as('key'),
          sql<number>`count(*)`.as('visits'),
          sql<number>`sum(s.pageviews)`.as('pageviews'),
          sql<number>`sum(case when s.pageviews <= 1 then 1 else 0 end)`.as('bounces'),
          sql<number>`sum(s.last_at - s.started_at)`.as('duration'),
          sql<number>`sum(s.events)`.as('events'),
        ])
        .groupBy(sql`1`)
        .orderBy(sql`count(*)`, 'desc')
        .orderBy(sql`1`)
        .$if(limit !== null, (q) => q.limit(limit!))
        .execute();
      return rows.map((row) => ({ key: num(row.key), ...measures(row), events: num(row.events) }));
    }
    if (dim === 'funnel') {
      const rows = await base
        .select([
          sql<number>`sum(case when s.funnel >= 1 then 1 else 0 end)`.as('f1'),
          sql<number>`sum(case when s.funnel >= 2 then 1 else 0 end)`.as('f2'),
          sql<number>`sum(case when s.funnel >= 3 then 1 else 0 end)`.as('f3'),
        ])
        .executeTakeFirstOrThrow();
      return [1, 2, 3].map((k) => ({
        key: k,
        visits: num(rows[`f${k}` as 'f1']),
        pageviews: 0,
        bounces: 0,
        duration: 0,
        events: 0,
      }));
    }
    // page, event, outbound: the events of the filtered visits (visits that started in the
    // span), found by session id rather than by time so the index covers the count.
    const type =
      dim === 'page'
        ? eventTypes.pageview
        : dim === 'event'
          ? eventTypes.custom
          : eventTypes.outbound;
    const keyCol = dim === 'page' ? 'e.path' : 'e.name';
    const rows = await db
      .selectFrom('analytics_events as e')
      .innerJoin(base.select('s.id').as('fs'), (j) => j.onRef('fs.id', '=', 'e.session_id'))
      .where('e.type', '=', type)
      .select([sql<number>`${sql.ref(keyCol)}`.as('key'), sql<number>`count(*)`.as('n')])
      .groupBy(sql`1`)
      .orderBy(sql`count(*)`, 'desc')
      .orderBy(sql`1`)
      .$if(limit !== null, (q) => q.limit(limit!))
      .execute();
    return rows.map((row) => ({
      key: num(row.key),
      visits: 0,
      pageviews: dim === 'page' ? num(row.n) : 0,
      bounces: 0,
      duration: 0,
      events: dim === 'page' ? 0 : num(row.n),
    }));
  }
}
export type RowsReader = ReturnType<typeof createRowsReader>;
