import type { Db } from '../db/database.js';
import { retention } from '../privacy/vocabulary.js';
import { cutoffFor, describeRule, dueAt } from '../retention/period.js';
import { countRows, type PurgeCounts, type Purger } from '../retention/types.js';
import { atToDate, dayOf, toAt } from './codes.js';

const { period, from } = retention.analytics_event;

/**
 * Raw analytics 13 months after the visit: events (with their props), sessions whose last event
 * is that old, the per-day visitor ids, the day segments (decision 014) of days wholly that old,
 * and the last-seen time of visitors not seen since. The rollups name no one and stay. A record
 * here is any of those rows (a segment, one day's columns, counts once); each chunk takes events,
 * sessions, visitor days, segments, then visitors.
 */
const cutoffAt = (now: Date) => toAt(cutoffFor(now, period).getTime());

const dueEvents = (db: Db, now: Date) =>
  db.selectFrom('analytics_events').where('at', '<=', cutoffAt(now));
const dueSessions = (db: Db, now: Date) =>
  db.selectFrom('analytics_sessions').where('last_at', '<=', cutoffAt(now));
// A day is due once all of it is older than the cutoff.
const dueDays = (db: Db, now: Date) =>
  db.selectFrom('analytics_visitor_days').where('day', '<', dayOf(cutoffAt(now) + 1));
// A segment's visits started on its day; the last minutes of one that crossed midnight go with it.
const dueSegments = (db: Db, now: Date) =>
  db.selectFrom('analytics_segments').where('day', '<', dayOf(cutoffAt(now) + 1));
const dueVisitors = (db: Db, now: Date) =>
  db.selectFrom('analytics_visitors').where('last_at', '<=', cutoffAt(now));

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  const sessions = await countRows(dueSessions(db, now));
  const days = await countRows(dueDays(db, now));
  const events = await countRows(dueEvents(db, now));
  const segments = await countRows(dueSegments(db, now));
  const visitors = await countRows(dueVisitors(db, now));
  return {
    records: events + sessions + days + segments + visitors,
    related: {
      analytics_sessions: sessions,
      analytics_visitor_days: days,
      analytics_segments: segments,
      analytics_visitors: visitors,
    },
  };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const events = (
      await dueEvents(trx, now).select('id').orderBy('at').limit(limit).execute()
    ).map((r) => r.id);
    if (events.length > 0) {
      await trx.deleteFrom('analytics_event_props').where('event_id', 'in', events).execute();
      await trx.deleteFrom('analytics_events').where('id', 'in', events).execute();
    }
    let room = limit - events.length;
    const sessions =
      room > 0
        ? (await dueSessions(trx, now).select('id').orderBy('last_at').limit(room).execute()).map(
            (r) => r.id,
          )
        : [];
    if (sessions.length > 0)
      await trx.deleteFrom('analytics_sessions').where('id', 'in', sessions).execute();
    room -= sessions.length;
    let days = 0;
    if (room > 0) {
      const rows = await dueDays(trx, now)
        .select(['day', 'visitor'])
        .orderBy('day')
        .limit(room)
        .execute();
      for (const day of new Set(rows.map((r) => r.day))) {
        const visitors = rows.filter((r) => r.day === day).map((r) => r.visitor);
        await trx
          .deleteFrom('analytics_visitor_days')
          .where('day', '=', day)
          .where('visitor', 'in', visitors)
          .execute();
      }
      days = rows.length;
    }
    room -= days;
    const segments =
      room > 0
        ? (await dueSegments(trx, now).select('id').orderBy('day').limit(room).execute()).map(
            (r) => r.id,
          )
        : [];
    if (segments.length > 0) {
      await trx
        .deleteFrom('analytics_segment_columns')
        .where('segment_id', 'in', segments)
        .execute();
      await trx.deleteFrom('analytics_segments').where('id', 'in', segments).execute();
    }
    room -= segments.length;
    const visitors =
      room > 0
        ? (await dueVisitors(trx, now).select('visitor').limit(room).execute()).map(
            (r) => r.visitor,
          )
        : [];
    if (visitors.length > 0)
      await trx.deleteFrom('analytics_visitors').where('visitor', 'in', visitors).execute();
    return {
      records: events.length + sessions.length + days + segments.length + visitors.length,
      related: {
        analytics_sessions: sessions.length,
        analytics_visitor_days: days,
        analytics_segments: segments.length,
        analytics_visitors: visitors.length,
      },
    };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('analytics_events')
    .where('at', '>', cutoffAt(now))
    .select((eb) => eb.fn.min('at').as('first'))
    .executeTakeFirst();
  // A segment is due once its whole day is past the cutoff, i.e. at the next day's start.
  const seg = await db
    .selectFrom('analytics_segments')
    .where('day', '>=', dayOf(cutoffAt(now) + 1))
    .select((eb) => eb.fn.min('day').as('first'))
    .executeTakeFirst();
  const firsts = [
    row?.first == null ? null : Number(row.first),
    seg?.first == null ? null : (Number(seg.first) + 1) * 86_400 - 1,
  ].filter((x): x is number => x !== null);
  return firsts.length ? dueAt(atToDate(Math.min(...firsts)), period) : null;
}

export const analyticsPurger: Purger = {
  key: 'analytics_event',
  title: 'Raw website analytics: events, visits, daily visitor ids and day segments',
  rule: 'analytics_event',
  period: describeRule({ period, from }),
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
