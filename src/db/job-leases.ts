import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';

/**
 * Scheduled jobs run once across instances (decision 027): before a scheduled run, an instance
 * takes the job's lease in `job_leases`. It gets it when nobody holds it, when the lease lapsed,
 * or when it holds it already (renewal); the same statement on SQLite and PostgreSQL, so two
 * instances asking at once cannot both win. A holder that dies loses the job when its lease
 * lapses. Runs asked for by hand (console, CLI, tests) take no lease.
 */
export function createJobLeases(db: Db, clock: { now(): Date }, holder = randomUUID()) {
  async function take(job: string, ttlMs: number): Promise<boolean> {
    const now = clock.now();
    const until = new Date(now.getTime() + ttlMs).toISOString();
    const res = await db
      .insertInto('job_leases')
      .values({ job, holder, lease_until: until })
      .onConflict((oc) =>
        oc
          .column('job')
          .doUpdateSet({ holder, lease_until: until })
          .where((eb) =>
            eb.or([
              eb('job_leases.lease_until', '<=', now.toISOString()),
              eb('job_leases.holder', '=', holder),
            ]),
          ),
      )
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  return {
    /** This process's id in the lease table (random, made at start). */
    holder,
    take,
    /** A lease check for a job run every `intervalMs`: held for most of one interval. */
    every: (job: string, intervalMs: number) => () => take(job, Math.floor(intervalMs * 0.9)),
  };
}

export type JobLeases = ReturnType<typeof createJobLeases>;
