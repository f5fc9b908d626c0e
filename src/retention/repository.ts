import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { LegalHoldsTable, RetentionRunsTable } from '../db/schema.js';

// The SQL of runs and holds; each purger holds the SQL of its own rule.

export async function insertRun(
  db: Db,
  run: Pick<RetentionRunsTable, 'started_at' | 'dry_run' | 'trigger' | 'started_by'>,
): Promise<number> {
  const row = await db
    .insertInto('retention_runs')
    .values({ ...run, finished_at: null, counts: '{}', error: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function finishRun(
  db: Db,
  id: number,
  end: { finished_at: string; counts: string; error: string | null },
): Promise<void> {
  await db.updateTable('retention_runs').set(end).where('id', '=', id).execute();
}

export async function recentRuns(db: Db, limit: number) {
  return db
    .selectFrom('retention_runs')
    .select(['id', 'started_at', 'finished_at', 'dry_run', 'trigger', 'counts', 'error'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function insertHold(
  db: Db,
  hold: Pick<LegalHoldsTable, 'target_type' | 'target_id' | 'reason' | 'placed_by' | 'placed_at'>,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('legal_holds')
    .values({ id, ...hold, released_at: null, released_by: null })
    .execute();
  return id;
}

/** Releases the hold if it is still active; false when it was released already or never existed. */
export async function releaseHold(
  db: Db,
  id: string,
  by: string,
  at: string,
): Promise<{ target_type: 'lead'; target_id: string } | undefined> {
  const hold = await db
    .selectFrom('legal_holds')
    .select(['target_type', 'target_id'])
    .where('id', '=', id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  if (!hold) return undefined;
  const res = await db
    .updateTable('legal_holds')
    .set({ released_at: at, released_by: by })
    .where('id', '=', id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows === 1n ? hold : undefined;
}

const holdColumns = [
  'legal_holds.id',
  'legal_holds.target_type',
  'legal_holds.target_id',
  'legal_holds.reason',
  'legal_holds.placed_at',
  'legal_holds.released_at',
] as const;

/** Holds with who placed and released them; staff emails are read for accountability. */
function holdsWithStaff(db: Db) {
  return db
    .selectFrom('legal_holds')
    .leftJoin('staff_users as placer', 'placer.id', 'legal_holds.placed_by')
    .leftJoin('staff_users as releaser', 'releaser.id', 'legal_holds.released_by')
    .select([
      ...holdColumns,
      'placer.email as placed_by_email',
      'releaser.email as released_by_email',
    ]);
}

export async function activeHolds(db: Db, target?: { type: 'lead'; id: string }) {
  return holdsWithStaff(db)
    .where('legal_holds.released_at', 'is', null)
    .$if(target !== undefined, (q) =>
      q
        .where('legal_holds.target_type', '=', target!.type)
        .where('legal_holds.target_id', '=', target!.id),
    )
    .orderBy('legal_holds.placed_at', 'desc')
    .orderBy('legal_holds.id')
    .execute();
}

export async function releasedHolds(db: Db, limit: number) {
  return holdsWithStaff(db)
    .where('legal_holds.released_at', 'is not', null)
    .orderBy('legal_holds.released_at', 'desc')
    .orderBy('legal_holds.id')
    .limit(limit)
    .execute();
}
