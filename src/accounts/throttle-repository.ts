import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Trx = Kysely<Database>;

/** The source_key of the row that counts an account's failures from every source. */
export const ALL_SOURCES = '*';

export interface FailureKey {
  account_key: string;
  source_key: string;
}

/**
 * Counts one failure atomically (parallel guesses cannot share a count): a row whose window
 * started at or before `windowStart` begins a new window at `now` with one failure.
 */
export async function countFailure(db: Trx, key: FailureKey, now: string, windowStart: string) {
  const row = await db
    .insertInto('login_failures')
    .values({ ...key, failures: 1, window_started_at: now, notified_at: null })
    .onConflict((oc) =>
      oc.columns(['account_key', 'source_key']).doUpdateSet((eb) => {
        const ended = eb('login_failures.window_started_at', '<=', windowStart);
        return {
          failures: eb
            .case()
            .when(ended)
            .then(1)
            .else(eb('login_failures.failures', '+', 1))
            .end(),
          window_started_at: eb
            .case()
            .when(ended)
            .then(now)
            .else(eb.ref('login_failures.window_started_at'))
            .end(),
        };
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

/** Failures counted in windows still open, for this source and for all sources. */
export async function openCounts(db: Trx, accountKey: string, sourceKey: string, after: string) {
  const rows = await db
    .selectFrom('login_failures')
    .select(['source_key', 'failures'])
    .where('account_key', '=', accountKey)
    .where('source_key', 'in', [sourceKey, ALL_SOURCES])
    .where('window_started_at', '>', after)
    .execute();
  const of = (k: string) => Number(rows.find((r) => r.source_key === k)?.failures ?? 0);
  return { source: of(sourceKey), all: of(ALL_SOURCES) };
}

/** A success from a source forgets that source's failures, and only those. */
export async function clearSource(db: Trx, key: FailureKey): Promise<void> {
  await db
    .deleteFrom('login_failures')
    .where('account_key', '=', key.account_key)
    .where('source_key', '=', key.source_key)
    .execute();
}

/**
 * Claims the right to email the account's owner: only one caller turns notified_at from null
 * or older than `notifiedBefore` to `now`, so a burst of failures sends one message.
 */
export async function claimNotice(
  db: Trx,
  accountKey: string,
  now: string,
  notifiedBefore: string,
): Promise<boolean> {
  const result = await db
    .updateTable('login_failures')
    .set({ notified_at: now })
    .where('account_key', '=', accountKey)
    .where('source_key', '=', ALL_SOURCES)
    .where((eb) => eb.or([eb('notified_at', 'is', null), eb('notified_at', '<=', notifiedBefore)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
