import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { dims, eventTypes, hourOf, type EventType } from './codes.js';
import { sessionDims, type Measures } from './rollup.js';
import { createWriter, type Hit } from './writer.js';
import { clearAnalytics } from '../test-support/analytics.js';

let db: Db;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.db;
});
afterAll(async () => fresh.drop());

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const types: EventType[] = [
  'pageview',
  'pageview',
  'custom',
  'outbound',
  'form_start',
  'form_submit',
  'intake_submitted',
];
const hitArb = fc.record({
  gap: fc.integer({ min: 0, max: 2400 }),
  visitor: fc.option(pick(['v1', 'v2', 'v3', 'v4']), { nil: null }),
  type: pick(types),
  path: pick(['/', '/services', '/about', '/get-started']),
  name: pick(['signup', 'call', 'example.com']),
  props: fc.option(fc.dictionary(pick(['plan', 'size']), pick(['a', 'b'])), { nil: undefined }),
  channel: fc.integer({ min: 0, max: 6 }),
  device: fc.integer({ min: 0, max: 4 }),
  client: pick([0, 1] as const),
  country: fc.option(pick(['US', 'GB']), { nil: null }),
  browser: fc.option(pick(['Chrome', 'Firefox']), { nil: null }),
});
const streamArb = fc.record({
  hits: fc.array(hitArb, { minLength: 1, maxLength: 60 }),
  batch: fc.integer({ min: 1, max: 25 }),
});

type Row = Measures;
const key = (dim: number, hour: number, k: number) => `${dim}:${hour}:${k}`;

/** Every rollup recounted from the raw sessions and events. */
async function recount(): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const add = (dim: number, hour: number, k: number, m: Partial<Row>) => {
    const r = out.get(key(dim, hour, k)) ?? {
      visits: 0,
      pageviews: 0,
      bounces: 0,
      duration: 0,
      events: 0,
    };
    for (const f of Object.keys(m) as (keyof Row)[]) r[f] += m[f] ?? 0;
    out.set(key(dim, hour, k), r);
  };
  for (const s of await db.selectFrom('analytics_sessions').selectAll().execute()) {
    const hour = hourOf(s.started_at);
    const m = {
      visits: 1,
      pageviews: s.pageviews,
      bounces: s.pageviews <= 1 ? 1 : 0,
      duration: s.last_at - s.started_at,
      events: s.events,
    };
    for (const [dim, k] of sessionDims(s)) add(dims[dim], hour, k, m);
    if (s.exit_path !== null) add(dims.exit_page, hour, s.exit_path, { visits: 1 });
    for (let step = 1; step <= s.funnel; step += 1) add(dims.funnel, hour, step, { visits: 1 });
  }
  for (const e of await db.selectFrom('analytics_events').selectAll().execute()) {
    if (e.type === eventTypes.pageview) add(dims.page, hourOf(e.at), e.path, { pageviews: 1 });
    if (e.type === eventTypes.custom && e.name !== null)
      add(dims.event, hourOf(e.at), e.name, { events: 1 });
    if (e.type === eventTypes.outbound && e.name !== null)
      add(dims.outbound, hourOf(e.at), e.name, { events: 1 });
  }
  return out;
}

async function stored(): Promise<Map<string, Row>> {
  const rows = await db.selectFrom('analytics_rollup').selectAll().execute();
  return new Map(
    rows
      .filter((r) => r.visits || r.pageviews || r.bounces || r.duration || r.events)
      .map((r) => [
        key(r.dim, r.hour, r.key),
        {
          visits: r.visits,
          pageviews: r.pageviews,
          bounces: r.bounces,
          duration: r.duration,
          events: r.events,
        },
      ]),
  );
}

async function propRecount(): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('analytics_event_props as p')
    .innerJoin('analytics_events as e', 'e.id', 'p.event_id')
    .select(['e.at', 'e.name', 'p.prop_key', 'p.prop_value'])
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) {
    const k = `${hourOf(r.at)}:${r.name}:${r.prop_key}:${r.prop_value}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

describe(`rollups on ${testDbKind}`, () => {
  it('equal a recount from the raw events, for any stream of events and any batching', async () => {
    let start = 10_000_000;
    await fc.assert(
      fc.asyncProperty(streamArb, async ({ hits, batch }) => {
        await clearAnalytics(db);
        const writer = createWriter(db);
        let at = (start += 1_000_000);
        const stream: Hit[] = hits.map((h) => ({
          at: (at += h.gap),
          visitor: h.visitor,
          type: h.type,
          path: h.path,
          name: h.type === 'custom' || h.type === 'outbound' ? h.name : null,
          ...(h.type === 'custom' && h.props ? { props: h.props } : {}),
          visit: {
            channel: h.channel,
            device: h.device,
            client: h.client,
            strings: { country: h.country, browser: h.browser },
          },
        }));
        for (let i = 0; i < stream.length; i += batch)
          await writer.write(stream.slice(i, i + batch));
        expect(await stored()).toEqual(await recount());
        const props = await db.selectFrom('analytics_prop_rollup').selectAll().execute();
        expect(
          new Map(
            props.map((p) => [`${p.hour}:${p.name}:${p.prop_key}:${p.prop_value}`, p.events]),
          ),
        ).toEqual(await propRecount());
      }),
      { numRuns: 40 },
    );
  });
});
