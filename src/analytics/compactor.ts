import { sql } from 'kysely';
import { intervalJob } from '../adapters/interval-job.js';
import type { Db } from '../db/database.js';
import { giveWayToWriter } from './writer-thread.js';
import { dayOf, dims, toAt } from './codes.js';
import { addToPropRollup, addToRollup } from './rollup.js';
import { buildSegments } from './segments/build.js';

// The hourly analytics job: folds the hourly rollups of closed days into one row per day
// (docs/decisions/013-*.md, below), then moves closed days' raw rows into columnar day segments
// (decision 014, ./segments/build.ts).
//
// The dashboard only asks for whole UTC days, so a day's rows can sit at any hour of that day:
// each key's 24 hourly rows move into the row at the day's first hour, in one transaction, and
// every sum over whole days stays the same. A 12-month panel then adds up ~365 rows per key
// instead of ~8,760, and the table shrinks about as much. `total` stays hourly: it is one row
// per hour and gives the hourly chart of a single day. A day is closed two days after it ends;
// a later delta (a visit still going) lands in its hourly row as before and the next run folds
// it in too. Moving rather than copying makes a run safe to repeat.

const folded = Object.values(dims).filter((d) => d !== dims.total);

/** Moves the non-first hours of days [fromDay, toDay] into each day's first hour. */
async function foldDays(db: Db, fromDay: number, toDay: number): Promise<number> {
  const [from, to] = [fromDay * 24, toDay * 24 + 23];
  return db.transaction().execute(async (trx) => {
    const notFirst = sql<boolean>`hour % 24 <> 0`;
    await trx
      .insertInto('analytics_rollup')
      .columns(['dim', 'hour', 'key', 'visits', 'pageviews', 'bounces', 'duration', 'events'])
      .expression(
        trx
          .selectFrom('analytics_rollup')
          .where('dim', 'in', folded)
          .where('hour', '>=', from)
          .where('hour', '<=', to)
          .where(notFirst)
          .select((eb) => [
            'dim',
            sql<number>`hour / 24 * 24`.as('day_hour'),
            'key',
            eb.fn.sum<number>('visits').as('visits'),
            eb.fn.sum<number>('pageviews').as('pageviews'),
            eb.fn.sum<number>('bounces').as('bounces'),
            eb.fn.sum<number>('duration').as('duration'),
            eb.fn.sum<number>('events').as('events'),
          ])
          .groupBy(['dim', sql`hour / 24 * 24`, 'key']),
      )
      .onConflict(addToRollup.clause)
      .execute();
    const moved = await trx
      .deleteFrom('analytics_rollup')
      .where('dim', 'in', folded)
      .where('hour', '>=', from)
      .where('hour', '<=', to)
      .where(notFirst)
      .executeTakeFirst();
    await trx
      .insertInto('analytics_prop_rollup')
      .columns(['name', 'hour', 'prop_key', 'prop_value', 'events'])
      .expression(
        trx
          .selectFrom('analytics_prop_rollup')
          .where('hour', '>=', from)
          .where('hour', '<=', to)
          .where(notFirst)
          .select((eb) => [
            'name',
            sql<number>`hour / 24 * 24`.as('day_hour'),
            'prop_key',
            'prop_value',
            eb.fn.sum<number>('events').as('events'),
          ])
          .groupBy(['name', sql`hour / 24 * 24`, 'prop_key', 'prop_value']),
      )
      .onConflict(addToPropRollup.clause)
      .execute();
    const props = await trx
      .deleteFrom('analytics_prop_rollup')
      .where('hour', '>=', from)
      .where('hour', '<=', to)
      .where(notFirst)
      .executeTakeFirst();
    return Number(moved.numDeletedRows) + Number(props.numDeletedRows);
  });
}

/**
 * Folds every closed day still holding hourly rows, a week per transaction so the writer is
 * never held up for long. Returns the hourly rows folded away.
 */
export async function compactRollups(db: Db, now: Date, daysPerStep = 7): Promise<number> {
  const lastClosed = dayOf(toAt(now.getTime())) - 2;
  const first = await db
    .selectFrom('analytics_rollup')
    .where('dim', 'in', folded)
    .where(sql<boolean>`hour % 24 <> 0`)
    .select((eb) => eb.fn.min<number>('hour').as('h'))
    .executeTakeFirst();
  const firstProp = await db
    .selectFrom('analytics_prop_rollup')
    .where(sql<boolean>`hour % 24 <> 0`)
    .select((eb) => eb.fn.min<number>('hour').as('h'))
    .executeTakeFirst();
  const starts = [first?.h, firstProp?.h].filter((h) => h !== null && h !== undefined);
  if (starts.length === 0) return 0;
  let moved = 0;
  for (
    let d = Math.floor(Math.min(...starts.map(Number)) / 24);
    d <= lastClosed;
    d += daysPerStep
  ) {
    moved += await foldDays(db, d, Math.min(d + daysPerStep - 1, lastClosed));
    await giveWayToWriter(db);
  }
  return moved;
}

/** The hourly job: fold closed days' rollups, then move closed days' rows into segments (014). */
export async function compactAnalytics(
  db: Db,
  now: Date,
): Promise<{ folded: number; segments: number }> {
  const folded = await compactRollups(db, now);
  return { folded, segments: await buildSegments(db, now) };
}

/**
 * Compaction every `intervalMs` (and once at start); the server starts it, tests call `runOnce`.
 * `afterRun` runs after each compaction: the dashboard warms its cache with the new day's segment
 * (and, at start, with the year's), so its first read of a long span is not the slow one.
 */
export function createRollupCompaction(deps: {
  db: Db;
  clock: { now(): Date };
  log: { error(obj: object, msg: string): void };
  intervalMs: number;
  afterRun?: (now: Date) => Promise<unknown>;
  /** Scheduled runs take this lease first, so one instance compacts (decision 027). */
  lease?: () => Promise<boolean>;
}) {
  const run = async () => {
    const now = deps.clock.now();
    const done = await compactAnalytics(deps.db, now);
    await deps.afterRun?.(now);
    return done;
  };
  return intervalJob(run, {
    intervalMs: deps.intervalMs,
    log: deps.log,
    failed: 'analytics rollup compaction failed',
    ...(deps.lease ? { lease: deps.lease } : {}),
  });
}
