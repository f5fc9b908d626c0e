import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { contend } from '../test-support/contention.js';
import { toAt, visitorKinds } from './codes.js';
import { compactAnalytics } from './compactor.js';
import { createWriter, type Hit } from './writer.js';

let db: Db;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.db;
});
afterAll(async () => fresh.drop());

const visit = { channel: 0, device: 1, client: 0 as const, strings: {} };
const view = (at: number, visitor: string, previousVisitor?: string): Hit => ({
  at,
  visitor,
  ...(previousVisitor ? { previousVisitor } : {}),
  type: 'pageview',
  path: '/',
  visit,
});
const sessionsOf = (visitors: string[]) =>
  db
    .selectFrom('analytics_sessions')
    .select(['visitor', 'pageviews'])
    .where('visitor', 'in', visitors)
    .execute();

describe(`analytics writer on ${testDbKind}`, () => {
  it('carries a visit across midnight under the new day’s id, from memory or from the database', async () => {
    const before = toAt(Date.parse('2026-05-01T23:50:00Z'));
    const after = toAt(Date.parse('2026-05-02T00:05:00Z'));
    // One writer remembers the visit; a second (a restarted collector) finds it in the table.
    const writer = createWriter(db);
    await writer.write([view(before, 'mem-day1')]);
    await writer.write([view(after, 'mem-day2', 'mem-day1')]);
    await createWriter(db).write([view(before, 'db-day1')]);
    await createWriter(db).write([view(after, 'db-day2', 'db-day1')]);
    expect(await sessionsOf(['mem-day1', 'mem-day2', 'db-day1', 'db-day2'])).toEqual(
      expect.arrayContaining([
        { visitor: 'mem-day2', pageviews: 2 },
        { visitor: 'db-day2', pageviews: 2 },
      ]),
    );
    expect(await sessionsOf(['mem-day1', 'mem-day2', 'db-day1', 'db-day2'])).toHaveLength(2);
  });

  it('gives a string one dictionary id, whether this writer added it or found it stored', async () => {
    const at = toAt(Date.parse('2026-05-04T10:00:00Z'));
    const page = (path: string, visitor: string): Hit => ({ ...view(at, visitor), path });
    await createWriter(db).write([page('/dict-old', 'dict-a')]);
    // A restarted writer knows no ids: one string is stored already, the other is new.
    await createWriter(db).write([page('/dict-old', 'dict-b'), page('/dict-new', 'dict-b')]);
    const ids = await db
      .selectFrom('analytics_dict')
      .where('value', 'in', ['/dict-old', '/dict-new'])
      .select(['id', 'value'])
      .execute();
    expect(ids.map((r) => r.value).sort()).toEqual(['/dict-new', '/dict-old']);
    const paths = await db
      .selectFrom('analytics_events as e')
      .innerJoin('analytics_sessions as s', 's.id', 'e.session_id')
      .where('s.visitor', 'in', ['dict-a', 'dict-b'])
      .select(['s.visitor', 'e.path'])
      .orderBy('e.id')
      .execute();
    const id = (v: string) => ids.find((r) => r.value === v)!.id;
    expect(paths).toEqual([
      { visitor: 'dict-a', path: id('/dict-old') },
      { visitor: 'dict-b', path: id('/dict-old') },
      { visitor: 'dict-b', path: id('/dict-new') },
    ]);
  });

  it('leaves nothing behind, in the tables or in memory, when a batch fails', async () => {
    const writer = createWriter(db);
    const at = toAt(Date.parse('2026-05-03T10:00:00Z'));
    const doomed = at + 60;
    await writer.write([view(at, 'fail-v')]);
    // The database refuses the event at `doomed`, after the batch has continued the visit.
    await refuseEventsAt(doomed);
    // A refusal for what the hit holds (SQLite's trigger abort) is answered for that hit alone.
    const failed = await writer.write([view(doomed, 'fail-v')]).then(
      (refused) => refused.get(0),
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(Error);
    await allowEvents();
    await writer.write([view(at + 120, 'fail-v')]);
    expect(await sessionsOf(['fail-v'])).toEqual([{ visitor: 'fail-v', pageviews: 2 }]);
  });

  it('runs a batch again when a deadlock or a held lock refused it, and stores it once', async () => {
    const writer = createWriter(db);
    const at = toAt(Date.parse('2026-05-04T10:00:00Z'));
    const contention = await contend(db, fresh.url, 2);
    const written = writer.write([view(at, 'retry-v'), view(at + 30, 'retry-v')]);
    // SQLite: the other connection lets go while the writer waits between attempts.
    const released = new Promise((r) => setTimeout(r, 60)).then(() => contention.release());
    await written;
    await released;
    expect(await sessionsOf(['retry-v'])).toEqual([{ visitor: 'retry-v', pageviews: 2 }]);
    expect(await eventsOf('retry-v')).toBe(2);
  });

  it('gives up after its retries with the database’s own error, leaving nothing behind', async () => {
    const writer = createWriter(db);
    const at = toAt(Date.parse('2026-05-05T10:00:00Z'));
    const contention = await contend(db, fresh.url);
    await expect(writer.write([view(at, 'busy-v')])).rejects.toMatchObject({
      code: testDbKind === 'sqlite' ? 'SQLITE_BUSY' : '40P01',
    });
    await contention.release();
    expect(await sessionsOf(['busy-v'])).toEqual([]);
    await writer.write([view(at + 60, 'busy-v')]);
    expect(await sessionsOf(['busy-v'])).toEqual([{ visitor: 'busy-v', pageviews: 1 }]);
  });
});

async function eventsOf(visitor: string): Promise<number> {
  const r = await db
    .selectFrom('analytics_events as e')
    .innerJoin('analytics_sessions as s', 's.id', 'e.session_id')
    .where('s.visitor', '=', visitor)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe(`analytics writer after closed days moved to segments, on ${testDbKind}`, () => {
  it('still knows a visitor whose only earlier visits are in a segment as returning', async () => {
    const first = toAt(Date.parse('2026-06-01T10:00:00Z'));
    const later = toAt(Date.parse('2026-06-08T10:00:00Z'));
    await createWriter(db).write([view(first, 'seg-back')]);
    await compactAnalytics(db, new Date('2026-06-08T09:00:00Z'));
    expect(await sessionsOf(['seg-back'])).toEqual([]);
    // A restarted collector: nothing in memory, nothing in analytics_sessions.
    await createWriter(db).write([view(later, 'seg-back'), view(later, 'seg-first')]);
    const kinds = await db
      .selectFrom('analytics_sessions')
      .where('visitor', 'in', ['seg-back', 'seg-first'])
      .select(['visitor', 'visitor_kind'])
      .orderBy('visitor')
      .execute();
    expect(kinds).toEqual([
      { visitor: 'seg-back', visitor_kind: visitorKinds.returning },
      { visitor: 'seg-first', visitor_kind: visitorKinds.new },
    ]);
  });
});

async function refuseEventsAt(at: number): Promise<void> {
  if (testDbKind === 'sqlite') {
    await sql`create trigger refuse_event before insert on analytics_events
      when new.at = ${sql.lit(at)} begin select raise(abort, 'refused'); end`.execute(db);
    return;
  }
  await sql`create function refuse_event() returns trigger language plpgsql as $$
    begin raise exception 'refused'; end $$`.execute(db);
  await sql`create trigger refuse_event before insert on analytics_events
    for each row when (new.at = ${sql.lit(at)}) execute function refuse_event()`.execute(db);
}

async function allowEvents(): Promise<void> {
  if (testDbKind === 'sqlite') {
    await sql`drop trigger refuse_event`.execute(db);
    return;
  }
  await sql`drop trigger refuse_event on analytics_events`.execute(db);
  await sql`drop function refuse_event()`.execute(db);
}
