import type { Clock } from '../adapters/clock.js';
import type { Db } from '../db/database.js';

/**
 * Global Privacy Control signals counted per UTC day in memory, and added to `gpc_daily` at most
 * once a minute (when a signal arrives after that) and at close: one upsert per flush, however
 * many requests carried the signal. Each flush adds this process's count to the stored one, so
 * several instances sharing a database sum correctly. A crash loses at most a minute of counts:
 * an aggregate, not anyone's record (people identified with the signal get a row of their own).
 */
export function createGpcDaily(deps: {
  db: Db;
  clock: Clock;
  /** Where a failed background flush is reported; its counts wait for the next one. */
  onError: (err: unknown) => void;
  flushEveryMs?: number;
}) {
  const every = deps.flushEveryMs ?? 60_000;
  const pending = new Map<string, number>();
  let lastFlush = deps.clock.now().getTime();
  let chain: Promise<void> = Promise.resolve();

  async function writePending(): Promise<void> {
    if (pending.size === 0) return;
    const rows = [...pending].map(([day, signals]) => ({ day, signals }));
    pending.clear();
    try {
      await deps.db
        .insertInto('gpc_daily')
        .values(rows)
        .onConflict((oc) =>
          oc.column('day').doUpdateSet((eb) => ({
            signals: eb('gpc_daily.signals', '+', eb.ref('excluded.signals')),
          })),
        )
        .execute();
    } catch (err) {
      // Put back, so the next flush adds them.
      for (const r of rows) pending.set(r.day, (pending.get(r.day) ?? 0) + r.signals);
      throw err;
    }
  }

  /** Writes what is counted; flushes run one after another. */
  function flush(): Promise<void> {
    const run = chain.then(writePending);
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    flush,
    /** Counts one request that carried the signal. Writes nothing, or starts a flush a minute on. */
    record(): void {
      const now = deps.clock.now();
      const day = now.toISOString().slice(0, 10);
      pending.set(day, (pending.get(day) ?? 0) + 1);
      if (now.getTime() - lastFlush < every) return;
      lastFlush = now.getTime();
      flush().catch(deps.onError);
    },
  };
}
export type GpcDaily = ReturnType<typeof createGpcDaily>;
