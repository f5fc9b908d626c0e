import type { Db } from '../db/database.js';
import { insertRows, type InsertRowsOptions } from '../db/insert-rows.js';
import type { AnalyticsSessionsTable } from '../db/schema.js';
import { dims, funnelSteps, hourOf, type Dim } from './codes.js';

export interface Measures {
  visits: number;
  pageviews: number;
  bounces: number;
  duration: number;
  events: number;
}
const zero = (): Measures => ({ visits: 0, pageviews: 0, bounces: 0, duration: 0, events: 0 });

type SessionRow = Pick<
  AnalyticsSessionsTable,
  | 'entry_path'
  | 'channel'
  | 'referrer'
  | 'engine'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'country'
  | 'region'
  | 'city'
  | 'browser'
  | 'browser_version'
  | 'os'
  | 'device'
  | 'visitor_kind'
  | 'client'
>;

type Visit = SessionRow & { started_at: number };

/** The dimensions a visit is counted under, with its key in each; unknown values have no row. */
export function sessionDims(s: SessionRow): [Dim, number][] {
  const all: [Dim, number | null][] = [
    ['total', 0],
    ['entry_page', s.entry_path],
    ['channel', s.channel],
    ['referrer', s.referrer],
    ['engine', s.engine],
    ['utm_source', s.utm_source],
    ['utm_medium', s.utm_medium],
    ['utm_campaign', s.utm_campaign],
    ['country', s.country],
    ['region', s.region],
    ['city', s.city],
    ['browser', s.browser],
    ['browser_version', s.browser_version],
    ['os', s.os],
    ['device', s.device],
    ['visitor_kind', s.visitor_kind],
    ['audience', s.client],
  ];
  return all.filter((e): e is [Dim, number] => e[1] !== null);
}

/** Rollup changes gathered over a batch, written as multi-row upserts (one row per touched key). */
export class RollupDeltas {
  private readonly rows = new Map<string, Measures>();
  private readonly props = new Map<string, number>();
  private readonly visits = new Map<Visit, Measures>();

  add(dim: Dim, hour: number, key: number, m: Partial<Measures>): void {
    const k = `${dims[dim]}:${hour}:${key}`;
    const row = this.rows.get(k) ?? zero();
    row.visits += m.visits ?? 0;
    row.pageviews += m.pageviews ?? 0;
    row.bounces += m.bounces ?? 0;
    row.duration += m.duration ?? 0;
    row.events += m.events ?? 0;
    this.rows.set(k, row);
  }

  /**
   * A change to a visit's measures, counted under each of its dimensions (in the hour it
   * started) when the batch is flushed: a visit's dimensions never change, so a batch adds each
   * visit's total once rather than every event's share to every dimension.
   */
  visit(s: Visit, m: Partial<Measures>): void {
    let v = this.visits.get(s);
    if (!v) this.visits.set(s, (v = zero()));
    v.visits += m.visits ?? 0;
    v.pageviews += m.pageviews ?? 0;
    v.bounces += m.bounces ?? 0;
    v.duration += m.duration ?? 0;
    v.events += m.events ?? 0;
  }

  /** A new visit: counted once, as a bounce until its second page view, landing in the funnel. */
  startSession(s: Visit & { exit_path: number | null }): void {
    const hour = hourOf(s.started_at);
    this.visit(s, { visits: 1, bounces: 1 });
    if (s.exit_path !== null) this.add('exit_page', hour, s.exit_path, { visits: 1 });
    this.add('funnel', hour, funnelSteps.landing, { visits: 1 });
  }

  prop(hour: number, name: number, key: number, value: number): void {
    const k = `${hour}:${name}:${key}:${value}`;
    this.props.set(k, (this.props.get(k) ?? 0) + 1);
  }

  async flush(trx: Db): Promise<void> {
    for (const [s, m] of this.visits) {
      const hour = hourOf(s.started_at);
      for (const [dim, key] of sessionDims(s)) this.add(dim, hour, key, m);
    }
    this.visits.clear();
    const rows = [...this.rows]
      .filter(([, m]) => m.visits || m.pageviews || m.bounces || m.duration || m.events)
      .map(([k, m]) => {
        const [dim, hour, key] = k.split(':').map(Number) as [number, number, number];
        return { dim, hour, key, ...m };
      });
    await insertRows(trx, 'analytics_rollup', rows, {
      onConflict: addToRollup,
    });
    const props = [...this.props].map(([k, events]) => {
      const [hour, name, prop_key, prop_value] = k.split(':').map(Number) as [
        number,
        number,
        number,
        number,
      ];
      return { hour, name, prop_key, prop_value, events };
    });
    await insertRows(trx, 'analytics_prop_rollup', props, {
      onConflict: addToPropRollup,
    });
  }
}

type Conflict<T extends 'analytics_rollup' | 'analytics_prop_rollup'> = NonNullable<
  InsertRowsOptions<T>['onConflict']
>;
/** A rollup row's measures added to the row already at its key (deltas, folds, fixtures). */
export const addToRollup: Conflict<'analytics_rollup'> = {
  name: 'add',
  clause: (oc) =>
    oc.columns(['dim', 'hour', 'key']).doUpdateSet((eb) => ({
      visits: eb('analytics_rollup.visits', '+', eb.ref('excluded.visits')),
      pageviews: eb('analytics_rollup.pageviews', '+', eb.ref('excluded.pageviews')),
      bounces: eb('analytics_rollup.bounces', '+', eb.ref('excluded.bounces')),
      duration: eb('analytics_rollup.duration', '+', eb.ref('excluded.duration')),
      events: eb('analytics_rollup.events', '+', eb.ref('excluded.events')),
    })),
};
export const addToPropRollup: Conflict<'analytics_prop_rollup'> = {
  name: 'add',
  clause: (oc) =>
    oc.columns(['name', 'hour', 'prop_key', 'prop_value']).doUpdateSet((eb) => ({
      events: eb('analytics_prop_rollup.events', '+', eb.ref('excluded.events')),
    })),
};
