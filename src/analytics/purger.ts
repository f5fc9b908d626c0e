import type { Db } from '../db/database.js';
import { retention, retentionClocks } from '../privacy/vocabulary.js';
import { cutoffFor, describePeriod, dueAt } from '../retention/period.js';
import { countRows, type PurgeCounts, type Purger } from '../retention/types.js';
import { atToDate, dayOf, toAt } from './codes.js';

const { period, from } = retention.analytics_event;

/**
 * Raw analytics 13 months after the visit: events (with their props), sessions whose last event
 * is that old, and the per-day visitor ids. The hourly rollups name no one and stay. A record
 * here is any of those rows; each chunk takes events first, then sessions, then visitor days.
 */
const cutoffAt = (now: Date) => toAt(cutoffFor(now, period).getTime());

const dueEvents = (db: Db, now: Date) =>
  db.selectFrom('analytics_events').where('at', '<=', cutoffAt(now));
const dueSessions = (db: Db, now: Date) =>
  db.selectFrom('analytics_sessions').where('last_at', '<=', cutoffAt(now));
// A day is due once all of it is older than the cutoff.
const dueDays = (db: Db, now: Date) =>
  db.selectFrom('analytics_visitor_days').where('day', '<', dayOf(cutoffAt(now) + 1));

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  const sessions = await countRows(dueSessions(db, now));
  const days = await countRows(dueDays(db, now));
  const events = await countRows(dueEvents(db, now));
  return {
    records: events + sessions + days,
    related: { analytics_sessions: sessions, analytics_visitor_days: days },
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
    return {
      records: events.length + sessions.length + days,
      related: { analytics_sessions: sessions.length, analytics_visitor_days: days },
    };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('analytics_events')
    .where('at', '>', cutoffAt(now))
    .select((eb) => eb.fn.min('at').as('first'))
    .executeTakeFirst();
  return row?.first == null ? null : dueAt(atToDate(Number(row.first)), period);
}

export const analyticsPurger: Purger = {
  key: 'analytics_event',
  title: 'Raw website analytics: events, visits and daily visitor ids',
  rule: 'analytics_event',
  period: `${describePeriod(period)} after ${retentionClocks[from]}`,
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
