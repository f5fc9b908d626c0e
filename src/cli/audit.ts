import { systemClock, type Clock } from '../adapters/clock.js';
import { newest, writeCheckpoint } from '../audit/checkpoint.js';
import { readCheckpoints } from '../audit/checkpoint-file.js';
import { loadAuditKey, type AuditKey } from '../audit/key.js';
import { verifyChain } from '../audit/verify.js';
import type { Config } from '../config/env.js';
import { createDb, type Db } from '../db/database.js';

export const auditUsage = `  audit verify                            check the audit log's keyed hash chain and its checkpoints;
                                          names the first broken entry
  audit checkpoint                        check the entries since the last checkpoint, then append a signed
                                          checkpoint of the head to AUDIT_CHECKPOINT_FILE`;

/**
 * `starspmb audit verify | checkpoint`. Neither migrates, so both can be pointed at a production
 * database or a restored backup. Exit codes of verify: 0 intact and matching every checkpoint,
 * 2 broken (or a checkpoint line fails its signature), 3 intact but no checkpoint to compare.
 */
export async function auditCommand(
  config: Config,
  args: string[],
  clock: Clock = systemClock,
): Promise<number> {
  const [sub, ...rest] = args;
  if ((sub !== 'verify' && sub !== 'checkpoint') || rest.length > 0) {
    console.error(`Usage:\n${auditUsage}`);
    return 1;
  }
  const key = loadAuditKey({ dataDir: config.dataDir, key: config.auditKey, create: false });
  if (!key) {
    console.error(
      'No audit key: set STARSPMB_AUDIT_KEY, or run where DATA_DIR holds the audit-key file the server made. ' +
        'The chain and its checkpoints can only be checked with the key that wrote them.',
    );
    return 1;
  }
  const db = createDb(config.databaseUrl);
  try {
    const run = sub === 'verify' ? verify : checkpoint;
    return await run(db, key, config, clock).catch((err: unknown) => {
      if (!isMissingTable(err)) throw err;
      console.error('This database has no audit log yet. Run `starspmb migrate` first.');
      return 1;
    });
  } finally {
    await db.destroy();
  }
}

async function checkpoint(db: Db, key: AuditKey, config: Config, clock: Clock): Promise<number> {
  const outcome = await writeCheckpoint({ db, clock, key, file: config.auditCheckpointFile });
  if (!outcome.ok) {
    console.error(`NOT WRITTEN: ${outcome.problem}.`);
    return 2;
  }
  const cp = outcome.checkpoint;
  console.log(
    `Checkpoint written to ${config.auditCheckpointFile}: entry ${cp.headSeq}, ${cp.count} entries.`,
  );
  console.log(JSON.stringify(cp));
  return 0;
}

async function verify(db: Db, key: AuditKey, config: Config): Promise<number> {
  const file = config.auditCheckpointFile;
  const { checkpoints, problems } = readCheckpoints(file, key);
  for (const p of problems) console.error(`CHECKPOINT line ${p.line} of ${file}: ${p.problem}.`);
  const progress = process.stderr.isTTY
    ? (n: number) => process.stderr.write(`\rchecked ${n} entries…`)
    : undefined;
  const report = await verifyChain(db, key, { onProgress: progress, checkpoints });
  if (progress) process.stderr.write('\n');
  if (!report.ok) {
    console.error(`BROKEN at entry ${report.seq}: ${report.problem}.`);
    console.error(`${report.count} entries before it are intact.`);
    return 2;
  }
  console.log(`OK: ${report.count} entries, chain intact.`);
  if (report.purgedThrough > 0) {
    console.log(
      `Entries 1–${report.purgedThrough} were purged under the 6-year retention rule; the chain is checked from the signed boundary after entry ${report.purgedThrough}.`,
    );
  }
  if (report.head) console.log(`Head: entry ${report.head.seq}, hash ${report.head.hash}`);
  if (report.legacyUntil > 0) {
    console.log(
      `Entries 1–${report.legacyUntil} predate the audit key (plain SHA-256): the first checkpoint after them pins them.`,
    );
  }
  if (problems.length > 0) return 2;
  const last = newest(checkpoints);
  if (!last) {
    console.error(
      `WARNING: no checkpoint in ${file}, so deleting the newest entries would go unnoticed. ` +
        'Run `starspmb audit checkpoint` (the server writes one at start and daily).',
    );
    return 3;
  }
  console.log(
    `Checkpoints: ${checkpoints.length} in ${file}, all matched (newest: entry ${last.headSeq} at ${last.at}).`,
  );
  return 0;
}

// Both engines' "no such table/column" errors (a database not yet migrated): SQLite says so in
// words, PostgreSQL by code.
function isMissingTable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === '42P01' || e?.code === '42703' || /no such (table|column)/.test(e?.message ?? '')
  );
}
