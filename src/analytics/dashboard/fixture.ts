import type { Db } from '../../db/database.js';
import { insertRows } from '../../db/insert-rows.js';
import { dayOf, dictKinds, dims, eventTypes, hourOf, toAt, type DictKind } from '../codes.js';
import { addToPropRollup, addToRollup } from '../rollup.js';

// A small analytics dataset written straight into the tables, consistently with decision 010:
// dictionary, sessions, events, props, visitor days and the rollups an ingest would have kept.

export interface FixtureVisit {
  visitor: string | null;
  /** Milliseconds; each page view or event a minute after the previous one. */
  start: number;
  pages: string[];
  events?: { name: string; props?: Record<string, string> }[];
  channel?: number;
  referrer?: string;
  country?: string;
  region?: string;
  city?: string;
  browser?: string;
  browserVersion?: string;
  os?: string;
  device?: number;
  visitorKind?: number;
  client?: number;
  funnel?: number;
}

export async function seedAnalytics(db: Db, visits: FixtureVisit[]): Promise<void> {
  const dict = new Map<string, number>();
  const id = async (kind: DictKind, value: string | undefined): Promise<number | null> => {
    if (value === undefined) return null;
    const k = `${kind}:${value}`;
    const known = dict.get(k);
    if (known !== undefined) return known;
    // A second seeding of the same database reuses the first one's strings.
    const found = await db
      .selectFrom('analytics_dict')
      .where('kind', '=', dictKinds[kind])
      .where('value', '=', value)
      .select('id')
      .executeTakeFirst();
    if (found) {
      dict.set(k, Number(found.id));
      return Number(found.id);
    }
    const row = await db
      .insertInto('analytics_dict')
      .values({ kind: dictKinds[kind], value })
      .returning('id')
      .executeTakeFirstOrThrow();
    dict.set(k, Number(row.id));
    return Number(row.id);
  };
  const rollup = new Map<
    string,
    { visits: number; pageviews: number; bounces: number; duration: number; events: number }
  >();
  const add = (
    hour: number,
    dim: number,
    key: number | null,
    d: Partial<{
      visits: number;
      pageviews: number;
      bounces: number;
      duration: number;
      events: number;
    }>,
  ) => {
    if (key === null) return;
    const k = `${hour}:${dim}:${key}`;
    const r = rollup.get(k) ?? { visits: 0, pageviews: 0, bounces: 0, duration: 0, events: 0 };
    for (const [f, v] of Object.entries(d)) r[f as keyof typeof r] += v;
    rollup.set(k, r);
  };
  const props = new Map<string, number>();
  const days = new Set<string>();

  for (const v of visits) {
    const startAt = toAt(v.start);
    const steps = v.pages.length + (v.events?.length ?? 0);
    const lastAt = startAt + Math.max(0, steps - 1) * 60;
    // One at a time: a visit may view a page twice, and two concurrent look-ups of a new string
    // would both insert it.
    const paths: (number | null)[] = [];
    for (const p of v.pages) paths.push(await id('path', p));
    const vals = {
      referrer: await id('referrer', v.referrer),
      country: await id('country', v.country),
      region: await id('region', v.region),
      city: await id('city', v.city),
      browser: await id('browser', v.browser),
      browser_version: await id('browser_version', v.browserVersion),
      os: await id('os', v.os),
    };
    const session = await db
      .insertInto('analytics_sessions')
      .values({
        visitor: v.visitor,
        started_at: startAt,
        last_at: lastAt,
        pageviews: v.pages.length,
        events: v.events?.length ?? 0,
        entry_path: paths[0] ?? null,
        exit_path: paths.at(-1) ?? null,
        channel: v.channel ?? 0,
        engine: null,
        utm_source: null,
        utm_medium: null,
        utm_campaign: null,
        device: v.device ?? 1,
        visitor_kind: v.visitorKind ?? (v.visitor ? 1 : 0),
        client: v.client ?? 0,
        funnel: v.funnel ?? 1,
        ...vals,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let at = startAt;
    for (const path of paths) {
      await db
        .insertInto('analytics_events')
        .values({
          at,
          session_id: Number(session.id),
          type: eventTypes.pageview,
          path: path!,
          name: null,
        })
        .execute();
      add(hourOf(at), dims.page, path, { pageviews: 1 });
      at += 60;
    }
    for (const e of v.events ?? []) {
      const name = (await id('event_name', e.name))!;
      const ev = await db
        .insertInto('analytics_events')
        .values({
          at,
          session_id: Number(session.id),
          type: eventTypes.custom,
          path: paths.at(-1)!,
          name,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      add(hourOf(at), dims.event, name, { events: 1 });
      for (const [pk, pv] of Object.entries(e.props ?? {})) {
        const [k, val] = [(await id('prop_key', pk))!, (await id('prop_value', pv))!];
        await db
          .insertInto('analytics_event_props')
          .values({ event_id: Number(ev.id), prop_key: k, prop_value: val })
          .execute();
        const pkey = `${hourOf(at)}:${name}:${k}:${val}`;
        props.set(pkey, (props.get(pkey) ?? 0) + 1);
      }
      at += 60;
    }
    if (v.visitor) days.add(`${dayOf(startAt)}:${v.visitor}`);
    const h = hourOf(startAt);
    const m = {
      visits: 1,
      pageviews: v.pages.length,
      bounces: v.pages.length <= 1 ? 1 : 0,
      duration: lastAt - startAt,
      events: v.events?.length ?? 0,
    };
    add(h, dims.total, 0, m);
    add(h, dims.entry_page, paths[0] ?? null, m);
    add(h, dims.exit_page, paths.at(-1) ?? null, { visits: 1 });
    add(h, dims.channel, v.channel ?? 0, m);
    add(h, dims.device, v.device ?? 1, m);
    add(h, dims.visitor_kind, v.visitorKind ?? (v.visitor ? 1 : 0), m);
    add(h, dims.audience, v.client ?? 0, m);
    for (const [dim, key] of Object.entries(vals)) add(h, dims[dim as keyof typeof dims], key, m);
    for (let step = 1; step <= (v.funnel ?? 1); step++) add(h, dims.funnel, step, { visits: 1 });
  }
  // Added to what is there, as the writer's deltas are (a second seeding of a database).
  for (const [k, r] of rollup) {
    const [hour, dim, key] = k.split(':').map(Number) as [number, number, number];
    await insertRows(db, 'analytics_rollup', [{ hour, dim, key, ...r }], {
      onConflict: addToRollup,
    });
  }
  for (const [k, events] of props) {
    const [hour, name, prop_key, prop_value] = k.split(':').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    await insertRows(db, 'analytics_prop_rollup', [{ hour, name, prop_key, prop_value, events }], {
      onConflict: addToPropRollup,
    });
  }
  for (const k of days) {
    const [day, visitor] = k.split(':') as [string, string];
    await db
      .insertInto('analytics_visitor_days')
      .values({ day: Number(day), visitor })
      .onConflict((oc) => oc.columns(['day', 'visitor']).doNothing())
      .execute();
  }
}
