import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/database.js';
import { freshDatabase, testDbKind } from '../../test-support/app.js';
import { dayOf, dayToDate, hourOf, toAt, type Dim } from '../codes.js';
import { compactAnalytics, compactRollups } from '../compactor.js';
import { seedAnalytics, type FixtureVisit } from '../dashboard/fixture.js';
import { createDashboardRepository, type Filters, type Span } from '../dashboard/repository.js';
import { panels, resolveRange, spansOf } from '../dashboard/service.js';
import { clearAnalytics } from '../../test-support/analytics.js';
import { countRows } from '../../retention/types.js';
import { visitColumns } from './codec.js';
import { createSegmentStore } from './store.js';

// Decision 014's promise: moving closed days into segments changes no number the dashboard
// shows. Two databases get the same random visits; one is compacted into segments, the other
// keeps rows only; every panel under every kind of filter must read the same from both, before
// and after late rows arrive for a segmented day.

const NOW = new Date('2026-03-15T12:00:00Z');
const DAY_MS = 86_400_000;
let a: Awaited<ReturnType<typeof freshDatabase>>;
let b: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  [a, b] = await Promise.all([freshDatabase(), freshDatabase()]);
});
afterAll(async () => Promise.all([a.drop(), b.drop()]));

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const places = [
  { country: 'US', region: 'Texas, US', city: 'Austin, Texas, US' },
  { country: 'US', region: 'California, US' },
  { country: 'GB', region: 'England, GB', city: 'London, England, GB' },
  {},
];
const visitArb: fc.Arbitrary<FixtureVisit> = fc
  .record({
    visitor: fc.option(pick(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']), { nil: null }),
    // Up to 45 days back, any minute: visits cross midnight and every preset's edges.
    minutesAgo: fc.integer({ min: 0, max: 45 * 24 * 60 }),
    pages: fc.array(pick(['/', '/pricing', '/about', '/contact', '/blog']), {
      minLength: 1,
      maxLength: 4,
    }),
    events: fc.array(
      fc.record({
        name: pick(['cta', 'signup']),
        props: fc.option(fc.dictionary(pick(['where', 'plan']), pick(['hero', 'footer', 'a'])), {
          nil: undefined,
        }),
      }),
      { maxLength: 2 },
    ),
    place: pick(places),
    channel: fc.integer({ min: 0, max: 6 }),
    device: fc.integer({ min: 0, max: 3 }),
    browser: fc.option(pick(['Chrome', 'Safari']), { nil: undefined }),
    client: fc.integer({ min: 0, max: 1 }),
    funnel: fc.integer({ min: 1, max: 3 }),
    visitorKind: fc.integer({ min: 1, max: 2 }),
  })
  .map(({ minutesAgo, place, events, visitor, visitorKind, browser, ...v }) => ({
    ...v,
    ...place,
    visitor,
    visitorKind: visitor ? visitorKind : 0,
    ...(browser ? { browser } : {}),
    events: events.map((e) => (e.props ? e : { name: e.name })),
    start: NOW.getTime() - minutesAgo * 60_000,
  }));

const dims = Object.values(panels).map((p) => p.dim) as Dim[];

async function ids(db: Db) {
  const rows = await db.selectFrom('analytics_dict').select(['id', 'value']).execute();
  const id = (v: string) => Number(rows.find((r) => r.value === v)?.id ?? -1);
  return { texas: id('Texas, US'), pricing: id('/pricing'), cta: id('cta') };
}

/** Every read of the repository over the spans and filters, as plain data. */
async function snapshot(db: Db) {
  const repo = createDashboardRepository(db);
  const { texas, pricing, cta } = await ids(db);
  const filterSets: Filters[] = [
    {},
    { device: 2 },
    { channel: 0 },
    { device: 2, region: texas },
    { page: pricing },
    { event: cta },
    { page: pricing, country: texas },
  ];
  const day = (d: string) => hourOf(toAt(Date.parse(`${d}T00:00:00Z`)));
  const spans: Span[] = [
    ...(['today', '7d', '30d', '12m'] as const).map((p) => spansOf(resolveRange(NOW, p)).current),
    { fromHour: day('2026-02-10'), toHour: day('2026-02-20') + 23 },
    // Not whole days: cuts inside segmented days.
    { fromHour: day('2026-02-12') + 5, toHour: day('2026-03-01') + 17 },
  ];
  const out: unknown[] = [];
  for (const span of spans) {
    for (const f of filterSets) {
      // Daily and weekly buckets of whole days are read without the visits' start times.
      const series = await repo.series(span, f, 24);
      const weekly = await repo.series(span, f, 24 * 7);
      const hourly = await repo.series(span, f, 1);
      const byBucket = (s: typeof series) => [...s].sort((x, y) => x.bucket - y.bucket);
      out.push({
        span,
        f,
        totals: await repo.totals(span, f),
        visitors: await repo.visitors(span, f),
        series: byBucket(series),
        weekly: byBucket(weekly),
        hourly: byBucket(hourly),
        props: await repo.props(span, f, 50),
        propsTop: await repo.props(span, f, 2),
      });
      for (const dim of dims) {
        const order = Object.values(panels).find((p) => p.dim === dim)!.order;
        out.push({
          span,
          f,
          dim,
          all: await repo.ranked(dim, span, f, order, 1000),
          top: await repo.ranked(dim, span, f, order, 3),
        });
      }
    }
  }
  return out;
}

const count = (db: Db, t: 'analytics_sessions' | 'analytics_segments') =>
  countRows(db.selectFrom(t));

describe(`day segments on ${testDbKind}`, () => {
  it('read exactly as the rows they replace, for every panel, filter and span', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitArb, { minLength: 40, maxLength: 120 }),
        fc.array(visitArb, { minLength: 1, maxLength: 5 }),
        async (visits, late) => {
          for (const db of [a.db, b.db]) {
            await clearAnalytics(db);
            await seedAnalytics(db, visits);
          }
          // A robot's visit, started on a closed day and still going: it must stay a row.
          const robotStart = NOW.getTime() - 10 * DAY_MS;
          for (const db of [a.db, b.db]) {
            await seedAnalytics(db, [{ visitor: 'bot', start: robotStart, pages: ['/'] }]);
            await db
              .updateTable('analytics_sessions')
              .set({ last_at: toAt(NOW.getTime()) - 60 })
              .where('visitor', '=', 'bot')
              .execute();
          }
          // The reference folds its rollups as well (decision 013), but keeps its rows.
          await compactRollups(b.db, NOW);
          const reference = await snapshot(b.db);
          const closed = visits.filter(
            (v) => dayOf(toAt(v.start)) <= dayOf(toAt(NOW.getTime())) - 2,
          ).length;
          const { segments } = await compactAnalytics(a.db, NOW);
          expect(segments > 0).toBe(closed > 0);
          // Only the robot and the open days' visits are left as rows.
          expect(await count(a.db, 'analytics_sessions')).toBe(visits.length + 1 - closed);
          expect(await snapshot(a.db)).toEqual(reference);
          // Rows arriving later for segmented days stay rows and are counted once.
          const days = (await a.db.selectFrom('analytics_segments').select('day').execute()).map(
            (r) => Number(r.day),
          );
          if (days.length === 0) return;
          const lateVisits = late.map((v, i) => ({
            ...v,
            start: dayToDate(days[i % days.length]!).getTime() + (v.start % DAY_MS),
          }));
          for (const db of [a.db, b.db]) await seedAnalytics(db, lateVisits);
          expect(await compactAnalytics(a.db, NOW)).toEqual({
            folded: expect.any(Number),
            segments: 0,
          });
          await compactRollups(b.db, NOW);
          expect(await snapshot(a.db)).toEqual(await snapshot(b.db));
        },
      ),
      // No shrinking: each run reads ~2,000 panels four times, and a failure's own data says enough.
      { numRuns: testDbKind === 'sqlite' ? 4 : 2, seed: 20261129, endOnFailure: true },
    );
  }, 300_000);
});

describe(`segment store on ${testDbKind}`, () => {
  it('reads from the database only the columns its cache lacks', async () => {
    await clearAnalytics(a.db);
    await seedAnalytics(
      a.db,
      [3, 4, 5].map((daysAgo) => ({
        visitor: `s${daysAgo}`,
        start: NOW.getTime() - daysAgo * DAY_MS,
        pages: ['/'],
      })),
    );
    expect((await compactAnalytics(a.db, NOW)).segments).toBe(3);
    // Counts the column rows each read brings back.
    let fetched: number[] = [];
    const counting = a.db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: (args) => {
        for (const r of args.result.rows) if ('col' in r) fetched.push(Number(r.col));
        return Promise.resolve(args.result);
      },
    });
    const store = createSegmentStore(counting);
    const segments = await store.list(0, dayOf(toAt(NOW.getTime())));
    await store.columns(segments, [visitColumns.pageviews, visitColumns.device]);
    expect(fetched.sort()).toEqual(
      [visitColumns.pageviews, visitColumns.device].flatMap((c) => [c, c, c]).sort(),
    );
    fetched = [];
    const [first] = await store.columns(segments, [
      visitColumns.pageviews,
      visitColumns.device,
      visitColumns.city,
    ]);
    expect(fetched).toEqual([visitColumns.city, visitColumns.city, visitColumns.city]);
    expect([...first!.keys()].sort()).toEqual(
      [visitColumns.pageviews, visitColumns.device, visitColumns.city].sort(),
    );
  });
});
