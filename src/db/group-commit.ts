import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { isSqlite, type Db } from './database.js';

export type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

// Compiled once: they run around every unit, and are the same text on both engines.
const savepoint = CompiledQuery.raw('savepoint group_unit');
const release = CompiledQuery.raw('release savepoint group_unit');
const rollbackTo = CompiledQuery.raw('rollback to savepoint group_unit');

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/**
 * Runs units of work that each must commit on their own, coalescing those that arrive together
 * into one SQLite transaction (group commit; see docs/decisions/011-intake-throughput.md).
 *
 * SQLite has one writer and its COMMIT (the WAL write) was most of a submission's database time;
 * one commit for several submissions pays it once. Each unit runs inside its own savepoint, so a
 * unit that throws rolls back only its own writes and gets its own error, while the others
 * commit. Every caller is answered only after the COMMIT that holds its writes has returned; if
 * that COMMIT fails, every unit in it fails. On PostgreSQL, with a pool of connections, each unit
 * simply gets its own transaction.
 */
export function createCommitGroup(db: Db, opts: { maxBatch?: number } = {}) {
  const maxBatch = opts.maxBatch ?? 64;
  const grouped = isSqlite(db);
  let queue: Job[] = [];
  let scheduled = false;

  async function runBatch(jobs: Job[]): Promise<Outcome[]> {
    return db.transaction().execute(async (trx) => {
      const outcomes: Outcome[] = [];
      for (const job of jobs) {
        await trx.executeQuery(savepoint);
        try {
          const value = await job.work(trx);
          await trx.executeQuery(release);
          outcomes.push({ ok: true, value });
        } catch (err) {
          // If SQLite already rolled the whole transaction back this throws, failing the batch.
          await trx.executeQuery(rollbackTo);
          await trx.executeQuery(release);
          outcomes.push({ ok: false, err });
        }
      }
      return outcomes;
    });
  }

  function flush(): void {
    scheduled = false;
    const jobs = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    if (queue.length > 0) schedule();
    runBatch(jobs).then(
      (outcomes) =>
        outcomes.forEach((o, i) => (o.ok ? jobs[i]!.resolve(o.value) : jobs[i]!.reject(o.err))),
      (err: unknown) => jobs.forEach((j) => j.reject(err)),
    );
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // After the current round of I/O, so requests parsed in the same turn share one commit.
    setImmediate(flush);
  }

  return {
    /** Runs `work` in a transaction; resolves once that transaction has committed. */
    run<T>(work: Work<T>): Promise<T> {
      if (!grouped) return db.transaction().execute(work);
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve, reject });
        schedule();
      });
    },
  };
}

export type CommitGroup = ReturnType<typeof createCommitGroup>;
