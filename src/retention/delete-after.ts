import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { RetentionPeriod } from '../privacy/vocabulary.js';
import { cutoffFor, dueAt } from './period.js';
import { notHeld } from './sql.js';
import { countRows, type PurgeCounts, type Purger } from './types.js';

type TableWithId = {
  [T in keyof Database]: 'id' extends keyof Database[T] ? T : never;
}[keyof Database];
/** A column holding a moment (ISO text), maybe empty. */
type StampColumn<T extends keyof Database> = {
  [C in keyof Database[T]]: string extends Database[T][C] ? C : never;
}[keyof Database[T]] &
  string;

// Kysely cannot check a column named by a parameter, so the queries below see the table as one
// with an id and that column; the signature above is what keeps the names real.
type Stamped = Record<string, { id: string; [column: string]: string | null }>;
const stamped = (db: Db) => db as unknown as Kysely<Stamped>;

/**
 * The count, purge and next-due steps of a purger whose rows are deleted `period` after the
 * moment `column` records (a request closed, a job sent); a row whose column is still empty is
 * never due; nor is one an active legal hold covers, given `heldBy`. Oldest first, then by id,
 * so a run in chunks takes them in a stable order.
 */
export function deleteAfter<T extends TableWithId>(
  table: T,
  column: StampColumn<T>,
  period: RetentionPeriod,
  /** Rows a legal hold may cover: the column naming the held record (and its kind). */
  heldBy?: { id: keyof Database[T] & string; type?: keyof Database[T] & string },
): Pick<Purger, 'count' | 'purgeChunk' | 'nextDue'> {
  const name: string = table;
  const stamp: string = column;
  const held = heldBy && notHeld(`${name}.${heldBy.id}`, heldBy.type && `${name}.${heldBy.type}`);
  const due = (db: Db, now: Date) =>
    stamped(db)
      .selectFrom(name)
      .where(stamp, 'is not', null)
      .where(stamp, '<=', cutoffFor(now, period).toISOString())
      .$if(held !== undefined, (q) => q.where(held!));
  return {
    async count(db: Db, now: Date): Promise<PurgeCounts> {
      return { records: await countRows(due(db, now)) };
    },
    async purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
      return db.transaction().execute(async (trx) => {
        const rows = await due(trx, now)
          .select('id')
          .orderBy(stamp)
          .orderBy('id')
          .limit(limit)
          .execute();
        const ids = rows.map((r) => r.id);
        if (ids.length > 0) await stamped(trx).deleteFrom(name).where('id', 'in', ids).execute();
        return { records: ids.length };
      });
    },
    async nextDue(db: Db, now: Date): Promise<Date | null> {
      const row = await stamped(db)
        .selectFrom(name)
        .where(stamp, '>', cutoffFor(now, period).toISOString())
        .select((eb) => eb.fn.min(stamp).as('first'))
        .executeTakeFirst();
      return row?.first ? dueAt(new Date(row.first), period) : null;
    },
  };
}
