import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClock, testDbKind, type TestApp } from '../test-support/app.js';
import { dayOf, toAt } from './codes.js';
import { compactAnalytics } from './compactor.js';
import { visitColumns } from './segments/codec.js';
import { createSegmentStore } from './segments/store.js';
import { createWriter } from './writer.js';

let t: TestApp;
const clock = new TestClock();
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

const monthsAgo = (n: number) => {
  const d = clock.now();
  d.setUTCMonth(d.getUTCMonth() - n);
  return toAt(d.getTime());
};

describe('analytics purger', () => {
  it('keeps the new, removes the old: raw events, visits and visitor days after 13 months; rollups stay', async () => {
    const visit = { channel: 0, device: 1, client: 0 as const, strings: {} };
    await createWriter(t.db).write([
      {
        at: monthsAgo(14),
        visitor: 'old',
        type: 'custom',
        path: '/',
        name: 'x',
        props: { a: 'b' },
        visit,
      },
      { at: monthsAgo(12), visitor: 'new', type: 'pageview', path: '/', visit },
    ]);
    const outcome = await t.app.retention.runner.run({ trigger: 'cli', dryRun: false });
    expect(outcome.status).toBe('done');
    const sessions = await t.db.selectFrom('analytics_sessions').select('visitor').execute();
    expect(sessions.map((s) => s.visitor)).toEqual(['new']);
    expect(await t.db.selectFrom('analytics_events').select('at').execute()).toEqual([
      { at: monthsAgo(12) },
    ]);
    expect(await t.db.selectFrom('analytics_event_props').selectAll().execute()).toEqual([]);
    expect(
      (await t.db.selectFrom('analytics_visitor_days').select('visitor').execute()).map(
        (r) => r.visitor,
      ),
    ).toEqual(['new']);
    const rollupHours = await t.db
      .selectFrom('analytics_rollup')
      .select('hour')
      .distinct()
      .execute();
    expect(rollupHours.length).toBe(2);
  });

  it('keeps the new, removes the old: day segments and last-seen visitors after 13 months', async () => {
    const visit = { channel: 0, device: 1, client: 0 as const, strings: {} };
    await createWriter(t.db).write([
      { at: monthsAgo(15), visitor: 'seg-old', type: 'pageview', path: '/', visit },
      { at: monthsAgo(11), visitor: 'seg-new', type: 'pageview', path: '/', visit },
    ]);
    // With the 12-month visit of the test above: three closed days.
    expect((await compactAnalytics(t.db, clock.now())).segments).toBe(3);
    const segmentDays = async () =>
      (await t.db.selectFrom('analytics_segments').select('day').orderBy('day').execute()).map(
        (r) => r.day,
      );
    expect(await segmentDays()).toEqual([15, 12, 11].map((m) => dayOf(monthsAgo(m))));
    // The dashboard has decoded all three; the purged one must leave its memory too.
    const store = createSegmentStore(t.db, undefined, { sweepEveryMs: 0 });
    const all = await store.list(0, dayOf(toAt(clock.now().getTime())));
    await store.columns(all, [visitColumns.device]);
    expect(store.cachedSegments()).toEqual(new Set(all.map((s) => s.id)));
    const outcome = await t.app.retention.runner.run({ trigger: 'cli', dryRun: false });
    expect(outcome.status).toBe('done');
    expect(await segmentDays()).toEqual([12, 11].map((m) => dayOf(monthsAgo(m))));
    await store.list(0, 0);
    expect(store.cachedSegments()).toEqual(new Set(all.slice(1).map((s) => s.id)));
    const columns = await t.db
      .selectFrom('analytics_segment_columns')
      .select('segment_id')
      .distinct()
      .execute();
    expect(columns).toHaveLength(2);
    expect(
      (
        await t.db.selectFrom('analytics_visitors').select('visitor').orderBy('visitor').execute()
      ).map((r) => r.visitor),
    ).toEqual(['new', 'seg-new']);
  });

  it('finds last-seen visitors past the cutoff by an index on last_at, not a scan', async () => {
    if (testDbKind === 'sqlite') {
      const plan = await sql<{ detail: string }>`
        explain query plan
        select visitor from analytics_visitors where last_at <= ${monthsAgo(13)}`.execute(t.db);
      expect(plan.rows.map((r) => r.detail).join('\n')).toMatch(/analytics_visitors_last_at_idx/);
    } else {
      // PostgreSQL plans a table this small as a scan either way: the index must exist.
      const idx = await sql<{ indexdef: string }>`
        select indexdef from pg_indexes
        where indexname = 'analytics_visitors_last_at_idx'`.execute(t.db);
      expect(idx.rows[0]?.indexdef).toMatch(/\(last_at\)/);
    }
  });
});
