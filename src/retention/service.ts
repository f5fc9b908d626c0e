import type { Clock } from '../adapters/clock.js';
import { appendAudit, type AuditActor, type AuditDetail } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type { RetentionRunsTable } from '../db/schema.js';
import { withRunLock } from './lock.js';
import { insertRun, finishRun } from './repository.js';
import { purgers as registered } from './registry.js';
import { addCounts, type PurgeCounts, type Purger } from './types.js';

export type RunTrigger = RetentionRunsTable['trigger'];

export interface RunRequest {
  trigger: RunTrigger;
  dryRun: boolean;
  /** The staff member who asked, for the console; the scheduler and CLI act as the system. */
  staffId?: string | undefined;
  /** Called after each chunk with the records removed so far under that purger (CLI progress). */
  onProgress?: ((key: string, soFar: number) => void) | undefined;
}

export interface RuleResult extends PurgeCounts {
  key: string;
  title: string;
  period: string;
}

export interface RunReport {
  id: number;
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  results: RuleResult[];
  total: number;
}

/** A run either happened, or did not start because another one holds the lock. */
export type RunOutcome = { status: 'done'; report: RunReport } | { status: 'busy' };

/** Rows per transaction: small enough that a chunk never holds writers up for long. */
export const CHUNK_SIZE = 500;

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  purgers?: readonly Purger[];
  chunkSize?: number;
}

/** Retention runs: every registered purger in turn, one lock-guarded run at a time. */
export function createRetentionRunner(deps: RetentionDeps) {
  const { db, clock } = deps;
  const purgers = deps.purgers ?? registered;
  const chunkSize = deps.chunkSize ?? CHUNK_SIZE;
  // Two runs in one process (the scheduler and a console click) would only repeat each other's
  // work, but one at a time keeps the counts in the log meaningful.
  let inProcess = false;

  async function purgeAll(p: Purger, now: Date, req: RunRequest): Promise<PurgeCounts> {
    let total: PurgeCounts = { records: 0 };
    for (;;) {
      const chunk = await p.purgeChunk(db, now, chunkSize);
      total = addCounts(total, chunk);
      req.onProgress?.(p.key, total.records);
      if (chunk.records < chunkSize) return total;
    }
  }

  async function execute(req: RunRequest): Promise<RunReport> {
    // One "now" for the whole run, so every rule draws its line at the same moment.
    const startedAt = clock.now();
    const id = await insertRun(db, {
      started_at: startedAt.toISOString(),
      dry_run: req.dryRun ? 1 : 0,
      trigger: req.trigger,
      started_by: req.staffId ?? null,
    });
    const results: RuleResult[] = [];
    try {
      for (const p of purgers) {
        const counts = req.dryRun
          ? await p.count(db, startedAt)
          : await purgeAll(p, startedAt, req);
        results.push({ key: p.key, title: p.title, period: p.period, ...counts });
      }
    } catch (err) {
      // What was removed before the failure stays removed and is logged; the next run goes on.
      const message = err instanceof Error ? err.message.slice(0, 500) : 'unknown error';
      await finishRun(db, id, {
        finished_at: clock.now().toISOString(),
        counts: countsJson(results),
        error: message,
      });
      throw err;
    }
    const finishedAt = clock.now();
    const total = results.reduce((sum, r) => sum + r.records, 0);
    await db.transaction().execute(async (trx) => {
      await finishRun(trx, id, {
        finished_at: finishedAt.toISOString(),
        counts: countsJson(results),
        error: null,
      });
      if (!req.dryRun) await appendAudit(trx, auditEntry(id, req, results, total), finishedAt);
    });
    return { id, dryRun: req.dryRun, startedAt, finishedAt, results, total };
  }

  async function run(req: RunRequest): Promise<RunOutcome> {
    if (inProcess) return { status: 'busy' };
    inProcess = true;
    try {
      const report = await withRunLock(db, () => execute(req));
      return report ? { status: 'done', report } : { status: 'busy' };
    } finally {
      inProcess = false;
    }
  }

  return { run, purgers };
}

export type RetentionRunner = ReturnType<typeof createRetentionRunner>;

/** Stored per rule: its records and related rows, under the purger's stable key. */
function countsJson(results: RuleResult[]): string {
  return JSON.stringify(
    Object.fromEntries(
      results.map((r) => [
        r.key,
        r.related ? { records: r.records, related: r.related } : { records: r.records },
      ]),
    ),
  );
}

function auditEntry(id: number, req: RunRequest, results: RuleResult[], total: number) {
  const actor: AuditActor = req.staffId
    ? { kind: 'staff', id: req.staffId }
    : { kind: 'system', name: req.trigger === 'cli' ? 'retention-cli' : 'retention-scheduler' };
  // Counts only: the audit log is kept for ever, so it never names what was deleted.
  const detail: AuditDetail = { run_id: id, trigger: req.trigger, total };
  for (const r of results) detail[r.key] = r.records;
  return { actor, action: 'retention_run' as const, detail };
}
