import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { dayOf, dims, hourOf, toAt } from './codes.js';
import { compactRollups } from './compactor.js';
import { buildSegments } from './segments/build.js';
import { seedAnalytics, type FixtureVisit } from './dashboard/fixture.js';
import { createDashboardRepository } from './dashboard/repository.js';
import { createDashboardService, resolveRange, type Preset } from './dashboard/service.js';

const NOW = new Date('2026-03-15T12:00:00Z');
let db: Db;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;

// Visits every 5 hours over three weeks, on a few pages, places and devices, with props.
const visits: FixtureVisit[] = Array.from({ length: 100 }, (_, i) => ({
  visitor: i % 4 === 0 ? null : `v${i % 9}`,
  start: NOW.getTime() - i * 5 * 3_600_000 - (i % 7) * 60_000,
  pages: [['/'], ['/', '/pricing'], ['/about', '/contact', '/'], ['/pricing']][i % 4]!,
  country: i % 3 ? 'US' : 'GB',
  region: i % 3 ? 'Texas, US' : 'England, GB',
  device: 1 + (i % 2),
  channel: i % 5,
  funnel: 1 + (i % 3),
  events: i % 3 === 0 ? [{ name: 'cta', props: { where: i % 2 ? 'hero' : 'footer' } }] : [],
}));

beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.db;
  await seedAnalytics(db, visits);
});
afterAll(async () => fresh.drop());

const service = () => createDashboardService(createDashboardRepository(db));
const presets: Preset[] = ['today', '7d', '30d'];
const snapshot = async () =>
  Promise.all([
    ...presets.map((p) => service().overview(resolveRange(NOW, p), {}, NOW)),
    service().overview(resolveRange(NOW, 'custom', '2026-03-10', '2026-03-10'), {}, NOW),
  ]);
const rows = async () =>
  Number(
    (
      await db
        .selectFrom('analytics_rollup')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe(`rollup compaction on ${testDbKind}`, () => {
  it('folds closed days into one row per key and day, leaving every dashboard figure as it was', async () => {
    const before = await snapshot();
    const rowsBefore = await rows();
    expect(await compactRollups(db, NOW)).toBeGreaterThan(0);
    expect(await rows()).toBeLessThan(rowsBefore);
    expect(await snapshot()).toEqual(before);
    // Closed days keep only the first hour (total stays hourly); the last two days are untouched.
    const late = await db
      .selectFrom('analytics_rollup')
      .where('dim', '<>', dims.total)
      .where(({ eb }) => eb('hour', '<', hourOf(toAt(Date.parse('2026-03-14T00:00:00Z')))))
      .select('hour')
      .execute();
    expect(late.every((r) => r.hour % 24 === 0)).toBe(true);
    const props = await db.selectFrom('analytics_prop_rollup').select('hour').execute();
    expect(
      props
        .filter((r) => r.hour < hourOf(toAt(Date.parse('2026-03-14T00:00:00Z'))))
        .every((r) => r.hour % 24 === 0),
    ).toBe(true);
  });

  it('is safe to run again, and folds a late delta on the next run', async () => {
    expect(await compactRollups(db, NOW)).toBe(0);
    const hour = hourOf(toAt(Date.parse('2026-03-10T15:00:00Z')));
    const at = (h: number) =>
      db
        .selectFrom('analytics_rollup')
        .where('dim', '=', dims.device)
        .where('hour', '=', h)
        .where('key', '=', 1)
        .select(['pageviews', 'duration'])
        .executeTakeFirst();
    const was = (await at(hour - 15))!;
    // A visit of that day still going: the writer adds to its start hour, as it always does.
    await db
      .insertInto('analytics_rollup')
      .values({
        dim: dims.device,
        hour,
        key: 1,
        visits: 0,
        pageviews: 1,
        bounces: 0,
        duration: 60,
        events: 0,
      })
      .execute();
    expect(await compactRollups(db, NOW)).toBe(1);
    expect(await at(hour - 15)).toEqual({
      pageviews: was.pageviews + 1,
      duration: was.duration + 60,
    });
    expect(await at(hour)).toBeUndefined();
  });

  it('moves closed days into segments once, in any number of runs, changing no filtered figure', async () => {
    const filtered = () =>
      Promise.all(presets.map((p) => service().overview(resolveRange(NOW, p), { device: 2 }, NOW)));
    const before = await filtered();
    // An earlier clock closes fewer days: as if the job had stopped half-way.
    const early = await buildSegments(db, new Date(NOW.getTime() - 10 * 86_400_000));
    expect(early).toBeGreaterThan(0);
    expect(early + (await buildSegments(db, NOW))).toBe(closedDays.size);
    expect(await buildSegments(db, NOW)).toBe(0);
    const days = await db.selectFrom('analytics_segments').select('day').orderBy('day').execute();
    expect(days.map((d) => d.day)).toEqual([...closedDays].sort((x, y) => x - y));
    const left = await db.selectFrom('analytics_sessions').select('started_at').execute();
    expect(left.every((r) => !closedDays.has(dayOf(r.started_at)))).toBe(true);
    expect(await filtered()).toEqual(before);
  });
});

const closedDays = new Set(
  visits.map((v) => dayOf(toAt(v.start))).filter((d) => d <= dayOf(toAt(NOW.getTime())) - 2),
);
