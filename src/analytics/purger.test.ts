import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { toAt } from './codes.js';
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
});
