import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres } from './sql.js';

/** An arbitrary constant naming the advisory lock that lets one retention run at a time. */
const RUN_LOCK_KEY = 734_201_905;

/**
 * Runs `fn` while holding the cluster-wide retention lock, or returns `undefined` at once when
 * another app instance holds it. On PostgreSQL that is a session advisory lock on one pooled
 * connection, held for the whole run (its chunks commit on other connections) and released when
 * the connection ends, even if the process dies. SQLite has one writer per file and no second
 * instance, so the caller's in-process guard is enough there.
 */
export async function withRunLock<T>(db: Db, fn: () => Promise<T>): Promise<T | undefined> {
  if (!isPostgres(db)) return fn();
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_lock(${sql.lit(RUN_LOCK_KEY)}) as locked`.execute(conn);
    if (!rows[0]?.locked) return undefined;
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(RUN_LOCK_KEY)})`.execute(conn);
    }
  });
}
