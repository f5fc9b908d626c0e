import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { sqlitePath, type Db } from '../db/database.js';
import { testDbKind } from './app.js';

/**
 * Real contention on the analytics tables, the way production meets it. On SQLite another
 * connection holds the write lock (this connection's busy timeout is shortened meanwhile, so a
 * test waits milliseconds, not seconds); on PostgreSQL a trigger aborts inserts into
 * analytics_events with SQLSTATE 40P01, as the server does to one side of a deadlock, the first
 * `times` times. `release()` ends it either way, and may be called more than once.
 */
export async function contend(
  db: Db,
  url: string,
  times = Number.POSITIVE_INFINITY,
): Promise<{ release(): Promise<void> }> {
  if (testDbKind === 'sqlite') {
    await sql`pragma busy_timeout = 30`.execute(db);
    const other = new SQLite(sqlitePath(url));
    other.exec('begin immediate');
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        other.exec('rollback');
        other.close();
        await sql`pragma busy_timeout = 5000`.execute(db);
      },
    };
  }
  const limit = Number.isFinite(times) ? times : 2 ** 31 - 1;
  await sql`create sequence contend_seq`.execute(db);
  // nextval is outside any transaction's rollback, so the count survives each aborted attempt.
  await sql`create function contend() returns trigger language plpgsql as $$
    begin
      if nextval('contend_seq') <= ${sql.lit(limit)} then
        raise exception 'simulated deadlock' using errcode = '40P01';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger contend before insert on analytics_events
    for each row execute function contend()`.execute(db);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await sql`drop trigger contend on analytics_events`.execute(db);
      await sql`drop function contend()`.execute(db);
      await sql`drop sequence contend_seq`.execute(db);
    },
  };
}
