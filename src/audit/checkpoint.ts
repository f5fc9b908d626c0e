import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../adapters/clock.js';
import { intervalJob } from '../adapters/interval-job.js';
import type { Db } from '../db/database.js';
import {
  appendCheckpoint,
  readCheckpoints,
  signCheckpoint,
  type Checkpoint,
} from './checkpoint-file.js';
import { currentAuditKey, type AuditKey } from './key.js';
import { genesisHash } from './log.js';
import { verifyChain } from './verify.js';

export type CheckpointOutcome =
  { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string };

export interface CheckpointDeps {
  db: Db;
  clock: Clock;
  /** AUDIT_CHECKPOINT_FILE */
  file: string;
  /** The process's audit key unless given. */
  key?: AuditKey;
}

/** The checkpoint furthest along the chain: everything before it is pinned by its head hash. */
export const newest = (cps: readonly Checkpoint[]): Checkpoint | undefined =>
  [...cps].sort((a, b) => b.headSeq - a.headSeq || b.at.localeCompare(a.at))[0];

/**
 * Checks the entries added since the newest checkpoint and, if they are intact, appends a signed
 * checkpoint of the head to the file. A checkpoint never vouches for a chain it has not checked,
 * so a rewrite made before it is still reported instead of being blessed. Safe to run twice.
 */
export async function writeCheckpoint(deps: CheckpointDeps): Promise<CheckpointOutcome> {
  const key = deps.key ?? currentAuditKey();
  const { checkpoints, problems } = readCheckpoints(deps.file, key);
  const bad = problems[0];
  if (bad) {
    return {
      ok: false,
      problem: `line ${bad.line} of ${deps.file}: ${bad.problem}. Run \`starspmb audit verify\`; no checkpoint is added to a file that fails it`,
    };
  }
  const last = newest(checkpoints);
  const report = await verifyChain(deps.db, key, last ? { from: last, checkpoints: [last] } : {});
  if (!report.ok) return { ok: false, problem: `entry ${report.seq}: ${report.problem}` };
  const checkpoint = signCheckpoint(
    {
      at: deps.clock.now().toISOString(),
      headSeq: report.head?.seq ?? 0,
      headHash: report.head?.hash ?? genesisHash,
      count: report.count,
      legacyUntil: report.legacyUntil,
    },
    key,
  );
  appendCheckpoint(deps.file, checkpoint);
  return { ok: true, checkpoint };
}

/**
 * Writes a checkpoint at start and then every `intervalMs` (at most a day, see config), and puts
 * each one in the log too: a second copy outside the database and outside the file. The server
 * starts it; tests call `runOnce`.
 */
export function createAuditCheckpoints(
  deps: CheckpointDeps & { log: FastifyBaseLogger; intervalMs: number },
) {
  async function runOnce(): Promise<CheckpointOutcome> {
    const outcome = await writeCheckpoint(deps);
    if (outcome.ok)
      deps.log.info({ auditCheckpoint: outcome.checkpoint }, 'audit checkpoint written');
    else
      deps.log.error(
        { problem: outcome.problem },
        'audit chain check failed; no checkpoint written',
      );
    return outcome;
  }
  return intervalJob(runOnce, {
    intervalMs: deps.intervalMs,
    log: deps.log,
    failed: 'audit checkpoint failed',
  });
}
