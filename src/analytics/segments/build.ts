import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import { giveWayToWriter } from '../writer-thread.js';
import { insertRows } from '../../db/insert-rows.js';
import type { Database } from '../../db/schema.js';
import { dayOf, eventTypes, SESSION_GAP_S, toAt } from '../codes.js';
import {
  DAY_VISITORS,
  encodeColumn,
  eventColumns,
  propColumns,
  visitColumns,
  visitorHash,
  widthOf,
  type VisitColumn,
} from './codec.js';

// Moves each closed day's raw rows into a columnar segment (docs/decisions/014-*.md).
//
// A day is closed two days after it ends (as for the rollup fold of decision 013). Its segment
// holds the visits that started that day and are over (no event for two session gaps), with all
// their events and props, the day's events of no visit, and the day's visitor ids; in the same
// transaction those rows leave the row tables. A visit still going (a robot's) stays a row, and
// so does anything that arrives for the day later: readers add rows and segments, and a row is in
// exactly one of them. A day that has a segment is never rebuilt, so a run can be repeated or
// interrupted at any point.

const DAY_S = 86_400;
/** Session columns copied as they are (a null dictionary id as 0); the rest are derived. */
const copied = (Object.keys(visitColumns) as VisitColumn[]).filter(
  (c): c is Exclude<VisitColumn, 'start' | 'duration' | 'visitor'> =>
    c !== 'start' && c !== 'duration' && c !== 'visitor',
);

/** Builds the segment of every closed day that has none and still has visits. Returns how many. */
export async function buildSegments(db: Db, now: Date): Promise<number> {
  const nowAt = toAt(now.getTime());
  const lastClosed = dayOf(nowAt) - 2;
  const first = await db
    .selectFrom('analytics_sessions')
    .select((eb) => eb.fn.min<number>('started_at').as('at'))
    .executeTakeFirst();
  if (first?.at === null || first?.at === undefined) return 0;
  const firstDay = dayOf(Number(first.at));
  const done = new Set(
    (
      await db.selectFrom('analytics_segments').where('day', '>=', firstDay).select('day').execute()
    ).map((r) => Number(r.day)),
  );
  let built = 0;
  for (let day = firstDay; day <= lastClosed; day++) {
    if (done.has(day) || !(await buildDay(db, day, nowAt))) continue;
    built++;
    await giveWayToWriter(db);
  }
  return built;
}

/** One day's segment and the deletion of its rows, in one transaction. False: nothing to move. */
async function buildDay(db: Db, day: number, nowAt: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const rows = dayRows(trx, day, nowAt);
    const sessions = await rows
      .sessions()
      .select(['id', 'visitor', 'started_at', 'last_at', ...copied])
      .orderBy('id')
      .execute();
    if (sessions.length === 0) return false;
    const events = await rows
      .events()
      .select(['id', 'session_id', 'at', 'type', 'path', 'name'])
      .execute();
    const customIds = events.filter((e) => e.type === eventTypes.custom).map((e) => e.id);
    const props: PropRow[] = [];
    for (const ids of chunks(customIds)) {
      props.push(
        ...(await trx
          .selectFrom('analytics_event_props')
          .where('event_id', 'in', ids)
          .select(['event_id', 'prop_key', 'prop_value'])
          .execute()),
      );
    }
    const dayVisitors = await rows.visitorDays().select('visitor').execute();
    const columns = encodeDay(
      day * DAY_S,
      sessions,
      events,
      props,
      dayVisitors.map((r) => r.visitor),
    );
    await writeSegment(trx, day, columns, {
      visits: sessions.length,
      events: events.length,
      props: props.length,
    });
    await rememberVisitors(trx, sessions);
    for (const ids of chunks(customIds))
      await trx.deleteFrom('analytics_event_props').where('event_id', 'in', ids).execute();
    await trx.deleteFrom('analytics_events').where(rows.eventFilter).execute();
    await trx.deleteFrom('analytics_sessions').where(rows.sessionFilter).execute();
    await trx.deleteFrom('analytics_visitor_days').where('day', '=', day).execute();
    return true;
  });
}

/** What a day's segment takes from the row tables; the same conditions read and delete. */
function dayRows(trx: Db, day: number, nowAt: number) {
  const [from, to] = [day * DAY_S, day * DAY_S + DAY_S - 1];
  // Over: no event for two gaps, so the writer will not continue it (it keeps an open visit
  // for one gap), even with a clock a little behind ours.
  const over = nowAt - 2 * SESSION_GAP_S;
  const sessionFilter = (eb: ExpressionBuilder<Database, 'analytics_sessions'>) =>
    eb.and([eb('started_at', '>=', from), eb('started_at', '<=', to), eb('last_at', '<', over)]);
  const sessions = () => trx.selectFrom('analytics_sessions').where(sessionFilter);
  // The visits' events, and the day's events of no visit.
  const eventFilter = (eb: ExpressionBuilder<Database, 'analytics_events'>) =>
    eb.or([
      eb('session_id', 'in', sessions().select('id')),
      eb.and([eb('session_id', '=', 0), eb('at', '>=', from), eb('at', '<=', to)]),
    ]);
  return {
    sessionFilter,
    eventFilter,
    sessions,
    events: () => trx.selectFrom('analytics_events').where(eventFilter),
    visitorDays: () => trx.selectFrom('analytics_visitor_days').where('day', '=', day),
  };
}

const chunks = (ids: number[], size = 500) =>
  Array.from({ length: Math.ceil(ids.length / size) }, (_, i) =>
    ids.slice(i * size, (i + 1) * size),
  );

async function writeSegment(
  trx: Db,
  day: number,
  columns: Map<number, { width: number; data: Uint8Array }>,
  counts: { visits: number; events: number; props: number },
): Promise<void> {
  const hashes = columns.get(DAY_VISITORS)!;
  const segment = await trx
    .insertInto('analytics_segments')
    .values({
      day,
      ...counts,
      day_visitors: hashes.width ? hashes.data.length / hashes.width : 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [col, { width, data }] of columns) {
    await trx
      .insertInto('analytics_segment_columns')
      .values({ segment_id: Number(segment.id), col, width, data: Buffer.from(data) })
      .execute();
  }
}

type SessionRow = { id: number; visitor: string | null; started_at: number; last_at: number } & {
  [K in (typeof copied)[number]]: number | null;
};
type EventRow = {
  id: number;
  session_id: number;
  at: number;
  type: number;
  path: number;
  name: number | null;
};
type PropRow = { event_id: number; prop_key: number; prop_value: number };

/** The day's columns: id → width and little-endian bytes. */
export function encodeDay(
  dayStart: number,
  sessions: SessionRow[],
  events: EventRow[],
  props: PropRow[],
  dayVisitors: string[],
): Map<number, { width: number; data: Uint8Array }> {
  const out = new Map<number, { width: number; data: Uint8Array }>();
  const put = (col: number, values: ArrayLike<number>) => {
    const width = widthOf(values);
    out.set(col, { width, data: encodeColumn(values, width) });
  };
  const n = sessions.length;
  const column = (f: (s: SessionRow) => number) => Uint32Array.from(sessions, f);
  put(
    visitColumns.start,
    column((s) => s.started_at - dayStart),
  );
  put(
    visitColumns.duration,
    column((s) => s.last_at - s.started_at),
  );
  put(
    visitColumns.visitor,
    column((s) => (s.visitor ? visitorHash(s.visitor) : 0)),
  );
  for (const c of copied)
    put(
      visitColumns[c],
      column((s) => Number(s[c] ?? 0)),
    );

  // Events grouped by visit (the order readers walk them in), events of no visit last.
  const visitOf = new Map(sessions.map((s, i) => [Number(s.id), i]));
  const startOf = (i: number) => (i < n ? sessions[i]!.started_at : dayStart);
  const placed = events
    .map((e) => ({ e, visit: e.session_id === 0 ? n : (visitOf.get(Number(e.session_id)) ?? n) }))
    .sort((a, b) => a.visit - b.visit || a.e.at - b.e.at || a.e.id - b.e.id);
  type Placed = (typeof placed)[number];
  const eventValues: Record<keyof typeof eventColumns, (p: Placed) => number> = {
    visit: (p) => p.visit,
    type: (p) => p.e.type,
    path: (p) => p.e.path,
    name: (p) => p.e.name ?? 0,
    offset: (p) => Math.max(0, p.e.at - startOf(p.visit)),
  };
  for (const [c, f] of Object.entries(eventValues))
    put(eventColumns[c as keyof typeof eventColumns], Uint32Array.from(placed, f));

  const eventIndex = new Map(placed.map((p, i) => [Number(p.e.id), i]));
  const sortedProps = props
    .map((p) => ({ p, event: eventIndex.get(Number(p.event_id))! }))
    .sort((a, b) => a.event - b.event || a.p.prop_key - b.p.prop_key);
  type Sorted = (typeof sortedProps)[number];
  const propValues: Record<keyof typeof propColumns, (x: Sorted) => number> = {
    event: (x) => x.event,
    key: (x) => x.p.prop_key,
    value: (x) => x.p.prop_value,
  };
  for (const [c, f] of Object.entries(propValues))
    put(propColumns[c as keyof typeof propColumns], Uint32Array.from(sortedProps, f));

  const hashes = Uint32Array.from(new Set(dayVisitors.map(visitorHash))).sort();
  put(DAY_VISITORS, hashes);
  return out;
}

/** Keeps, for each visitor of the moved visits, when it was last seen (the writer's memory). */
async function rememberVisitors(trx: Db, sessions: SessionRow[]): Promise<void> {
  const last = new Map<string, number>();
  for (const s of sessions) {
    if (s.visitor) last.set(s.visitor, Math.max(last.get(s.visitor) ?? 0, s.last_at));
  }
  await insertRows(
    trx,
    'analytics_visitors',
    [...last].map(([visitor, last_at]) => ({ visitor, last_at })),
    {
      onConflict: {
        name: 'latest',
        clause: (oc) =>
          oc.column('visitor').doUpdateSet((eb) => ({
            last_at: eb
              .case()
              .when('excluded.last_at', '>', eb.ref('analytics_visitors.last_at'))
              .then(eb.ref('excluded.last_at'))
              .else(eb.ref('analytics_visitors.last_at'))
              .end(),
          })),
      },
    },
  );
}
