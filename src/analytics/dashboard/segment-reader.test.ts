import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/database.js';
import { freshDatabase, testDbKind } from '../../test-support/app.js';
import { dayOf, toAt } from '../codes.js';
import { createRollupCompaction } from '../compactor.js';
import { propColumns as P, visitColumns as V } from '../segments/codec.js';
import { createSegmentStore } from '../segments/store.js';
import type { FixtureVisit } from './fixture.js';
import { seedAnalytics } from './fixture.js';
import { createDashboardRepository } from './repository.js';
import { createSegmentReader } from './segment-reader.js';

// How the segment reader uses memory: what warming leaves in the cache, and which columns a
// read needs. The numbers themselves are the property test's (segments.test.ts).

const NOW = new Date('2026-03-15T12:00:00Z');
const today = dayOf(toAt(NOW.getTime()));
// A visit every 7 hours over three weeks, with a custom event and props.
const visits: FixtureVisit[] = Array.from({ length: 72 }, (_, i) => ({
  visitor: `v${i % 9}`,
  start: NOW.getTime() - i * 7 * 3_600_000,
  pages: i % 2 ? ['/', '/pricing'] : ['/about'],
  device: 1 + (i % 2),
  region: i % 3 ? 'Texas, US' : 'England, GB',
  events: [{ name: 'cta', props: { where: 'hero' } }],
}));

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
let segmentIds: number[];
beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.db;
  await seedAnalytics(db, visits);
  const job = createRollupCompaction({
    db,
    clock: { now: () => NOW },
    log: { error: () => undefined },
    intervalMs: 3_600_000,
  });
  await job.runOnce();
  const rows = await db.selectFrom('analytics_segments').select('id').orderBy('day').execute();
  segmentIds = rows.map((r) => Number(r.id));
});
afterAll(async () => fresh.drop());

const keysOf = (store: ReturnType<typeof createSegmentStore>) => [...store.cache.keys()];

describe(`segment reader on ${testDbKind}`, () => {
  it('warms the last year after a compaction run, so a filtered read then reads nothing', async () => {
    expect(segmentIds.length).toBeGreaterThan(15);
    const repo = createDashboardRepository(db);
    const job = createRollupCompaction({
      db,
      clock: { now: () => NOW },
      log: { error: () => undefined },
      intervalMs: 3_600_000,
      afterRun: (now) => repo.warm(now),
    });
    await job.runOnce();
    expect(repo.cachedSegments()).toEqual(new Set(segmentIds));

    const store = createSegmentStore(db);
    const reader = createSegmentReader(store);
    expect(await reader.warm(today)).toBe(segmentIds.length);
    // With room to spare, the rarer panels' columns are warmed too.
    expect(keysOf(store)).toContain(`${segmentIds.at(-1)}:${V.utm_source}`);
    // Columns are keyed by their numeric id; what is derived from them (masks) by name.
    const columnKeys = () =>
      keysOf(store)
        .filter((k) => /:\d+$/.test(k))
        .sort();
    const held = columnKeys();
    const span = { fromHour: (today - 29) * 24, toHour: today * 24 + 23 };
    await reader.ranked('page', span, { device: 2 });
    await reader.ranked('region', span, { device: 2 });
    await reader.props(span, { device: 2 });
    await reader.totals(span, { device: 2 });
    expect(columnKeys()).toEqual(held);
  });

  it('warms newest day first, stops at its budget, and leaves the oldest first to evict', async () => {
    const store = createSegmentStore(db);
    const one = await store.warm(0, today, [V.device], { budget: 1 });
    expect(one.map((s) => s.id)).toEqual([segmentIds.at(-1)]);
    const all = await store.warm(0, today, [V.device, V.pageviews]);
    expect(all.map((s) => s.id)).toEqual(segmentIds.toReversed());
    const order = keysOf(store).map((k) => Number(k.split(':')[0]));
    expect(order[0]).toBe(segmentIds[0]);
    expect(order.at(-1)).toBe(segmentIds.at(-1));
  });

  it('reads no visit start for whole days, but does to cut a day or bucket by hour', async () => {
    const store = createSegmentStore(db);
    const reader = createSegmentReader(store);
    const startKeys = () => keysOf(store).filter((k) => k.endsWith(`:${V.start}`));
    const whole = { fromHour: (today - 30) * 24, toHour: today * 24 + 23 };
    await reader.totals(whole, { device: 2 });
    expect(store.cachedSegments()).toEqual(new Set(segmentIds));
    await reader.ranked('page', whole, { device: 2 });
    await reader.series(whole, { device: 2 }, 24 * 7);
    expect(startKeys()).toEqual([]);
    await reader.series(whole, { device: 2 }, 1);
    expect(startKeys().length).toBeGreaterThan(0);
    store.cache.clear();
    await reader.totals({ ...whole, fromHour: whole.fromHour + 5 }, { device: 2 });
    expect(startKeys().length).toBeGreaterThan(0);
  });

  it("keeps whole days' filter masks and prop pairs for the next read, not a cut day's", async () => {
    const store = createSegmentStore(db);
    const reader = createSegmentReader(store);
    const [first] = await store.list(0, today);
    const whole = { fromHour: first!.day * 24, toHour: today * 24 + 23 };
    await reader.props(whole, { device: 2 });
    expect(store.cached(first!, 'match:device=2')).toBeDefined();
    expect(store.cached(first!, 'prop-pairs')).toBeDefined();
    // The next props read, under another filter, needs none of the prop columns.
    store.cache.deleteWhere((k) => [P.event, P.key, P.value].some((c) => k.endsWith(`:${c}`)));
    await reader.props(whole, { device: 1 });
    expect(keysOf(store).filter((k) => k.endsWith(`:${P.event}`))).toEqual([]);
    await reader.totals({ ...whole, fromHour: whole.fromHour + 5 }, { channel: 0 });
    expect(store.cached(first!, 'match:channel=0')).toBeUndefined();
  });
});
