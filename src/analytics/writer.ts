import type { Db } from '../db/database.js';
import type { AnalyticsSessionsTable } from '../db/schema.js';
import {
  dayOf,
  dictKinds,
  eventTypes,
  funnelSteps,
  hourOf,
  SESSION_GAP_S,
  visitorKinds,
  type DictKind,
  type Dim,
  type EventType,
} from './codes.js';
import { RollupDeltas, sessionDims } from './rollup.js';

/** What a visit is, decided by its first event. Strings are dictionary-encoded on write. */
export interface VisitInfo {
  channel: number;
  device: number;
  client: 0 | 1;
  strings: Partial<
    Record<
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
      | 'os',
      string | null
    >
  >;
}

export interface Hit {
  /** Seconds since the analytics epoch. */
  at: number;
  /** null: counted without an id (GPC, Do Not Track). */
  visitor: string | null;
  /** The same browser under yesterday's salt, to continue a visit across midnight. */
  previousVisitor?: string | null;
  type: EventType;
  path: string;
  name?: string | null;
  props?: Record<string, string>;
  visit: VisitInfo;
}

type Session = Omit<AnalyticsSessionsTable, 'id'> & { id: number };
type Trx = Db;

const sessionStringColumns = [
  'referrer',
  'engine',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
] as const;
const funnelOf: Partial<Record<EventType, number>> = {
  form_start: funnelSteps.form_start,
  intake_submitted: funnelSteps.intake_submitted,
};

/**
 * Writes a batch of hits in one transaction: dictionary strings, sessions (continued or new),
 * events, props, visitor days and every rollup delta. All or nothing: a failed batch leaves no
 * trace, so the in-memory dictionary learns new ids only after commit.
 */
export async function writeBatch(
  db: Db,
  dict: Map<string, number>,
  hits: readonly Hit[],
): Promise<void> {
  const learned = new Map<string, number>();
  await db.transaction().execute(async (trx) => {
    const id = async (kind: DictKind, value: string): Promise<number> => {
      const k = `${dictKinds[kind]}\t${value}`;
      const known = dict.get(k) ?? learned.get(k);
      if (known !== undefined) return known;
      await trx
        .insertInto('analytics_dict')
        .values({ kind: dictKinds[kind], value })
        .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
        .execute();
      const row = await trx
        .selectFrom('analytics_dict')
        .select('id')
        .where('kind', '=', dictKinds[kind])
        .where('value', '=', value)
        .executeTakeFirstOrThrow();
      learned.set(k, row.id);
      return row.id;
    };
    const open = new Map<string, Session>();
    const dirty = new Set<Session>();
    const deltas = new RollupDeltas();
    const days = new Set<string>();
    for (const hit of hits) {
      const path = await id('path', hit.path);
      let s = hit.visitor ? await continued(trx, open, hit) : null;
      if (!s) {
        s = await startSession(trx, hit, path, id);
        if (s.visitor) open.set(s.visitor, s);
        deltas.startSession(s);
      }
      const name = hit.name
        ? await id(hit.type === 'outbound' ? 'outbound_host' : 'event_name', hit.name)
        : null;
      applyEvent(deltas, s, hit, path, name);
      dirty.add(s);
      if (s.visitor) days.add(`${dayOf(hit.at)}\t${s.visitor}`);
      const event = { at: hit.at, session_id: s.id, type: eventTypes[hit.type], path, name };
      const props = Object.entries(hit.props ?? {});
      if (props.length === 0 || name === null) {
        await trx.insertInto('analytics_events').values(event).execute();
        continue;
      }
      const row = await trx
        .insertInto('analytics_events')
        .values(event)
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [k, v] of props) {
        const [pk, pv] = [await id('prop_key', k), await id('prop_value', v)];
        await trx
          .insertInto('analytics_event_props')
          .values({ event_id: row.id, prop_key: pk, prop_value: pv })
          .execute();
        deltas.prop(hourOf(hit.at), name, pk, pv);
      }
    }
    for (const s of dirty) {
      await trx
        .updateTable('analytics_sessions')
        .set({
          last_at: s.last_at,
          pageviews: s.pageviews,
          events: s.events,
          exit_path: s.exit_path,
          funnel: s.funnel,
        })
        .where('id', '=', s.id)
        .execute();
    }
    for (const d of days) {
      const [day, visitor] = d.split('\t') as [string, string];
      await trx
        .insertInto('analytics_visitor_days')
        .values({ day: Number(day), visitor })
        .onConflict((oc) => oc.columns(['day', 'visitor']).doNothing())
        .execute();
    }
    await deltas.flush(trx);
  });
  for (const [k, v] of learned) dict.set(k, v);
}

/** The visitor's open session (last event under 30 minutes ago), under today's or yesterday's id. */
async function continued(trx: Trx, open: Map<string, Session>, hit: Hit): Promise<Session | null> {
  for (const visitor of [hit.visitor, hit.previousVisitor]) {
    if (!visitor) continue;
    const s = open.get(visitor) ?? (await latest(trx, visitor));
    if (s && hit.at - s.last_at < SESSION_GAP_S && hit.at >= s.started_at) {
      open.set(visitor, s);
      return s;
    }
  }
  return null;
}

const latest = async (trx: Trx, visitor: string): Promise<Session | null> =>
  ((await trx
    .selectFrom('analytics_sessions')
    .selectAll()
    .where('visitor', '=', visitor)
    .orderBy('last_at', 'desc')
    .limit(1)
    .executeTakeFirst())) ?? null;

async function startSession(
  trx: Trx,
  hit: Hit,
  path: number,
  id: (k: DictKind, v: string) => Promise<number>,
): Promise<Session> {
  const seen = hit.visitor ? await latest(trx, hit.visitor) : null;
  const row: Omit<Session, 'id'> = {
    visitor: hit.visitor,
    started_at: hit.at,
    last_at: hit.at,
    pageviews: 0,
    events: 0,
    entry_path: path,
    exit_path: path,
    channel: hit.visit.channel,
    referrer: null,
    engine: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    country: null,
    region: null,
    city: null,
    browser: null,
    browser_version: null,
    os: null,
    device: hit.visit.device,
    visitor_kind: !hit.visitor
      ? visitorKinds.unknown
      : seen
        ? visitorKinds.returning
        : visitorKinds.new,
    client: hit.visit.client,
    funnel: funnelSteps.landing,
  };
  for (const c of sessionStringColumns) {
    const v = hit.visit.strings[c];
    if (v) row[c] = await id(c, v);
  }
  const inserted = await trx
    .insertInto('analytics_sessions')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...row, id: inserted.id };
}

/** One event's effect on its session and on the rollups. */
function applyEvent(
  deltas: RollupDeltas,
  s: Session,
  hit: Hit,
  path: number,
  name: number | null,
): void {
  const startHour = hourOf(s.started_at);
  const grow = Math.max(0, hit.at - s.last_at);
  const measures = { duration: grow, pageviews: 0, bounces: 0, events: 0 };
  if (hit.type === 'pageview') {
    s.pageviews += 1;
    measures.pageviews = 1;
    if (s.pageviews === 2) measures.bounces = -1;
    deltas.add('page', hourOf(hit.at), path, { pageviews: 1 });
  } else {
    s.events += 1;
    measures.events = 1;
    const dim: Dim | null =
      hit.type === 'custom' ? 'event' : hit.type === 'outbound' ? 'outbound' : null;
    if (dim && name !== null) deltas.add(dim, hourOf(hit.at), name, { events: 1 });
  }
  for (const [dim, key] of sessionDims(s)) deltas.add(dim, startHour, key, measures);
  s.last_at = Math.max(s.last_at, hit.at);
  if (s.exit_path !== path) {
    if (s.exit_path !== null) deltas.add('exit_page', startHour, s.exit_path, { visits: -1 });
    deltas.add('exit_page', startHour, path, { visits: 1 });
    s.exit_path = path;
  }
  const step = funnelOf[hit.type] ?? 0;
  for (let k = s.funnel + 1; k <= step; k += 1) deltas.add('funnel', startHour, k, { visits: 1 });
  s.funnel = Math.max(s.funnel, step);
}
