import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Checkpoint } from './checkpoint-file.js';
import type { AuditKey } from './key.js';
import { KEYED_CHAIN, LEGACY_CHAIN, genesisHash, rowHash, type ChainedRow } from './log.js';
import { boundaryProblem, purgeBoundaries, type PurgeBoundary } from './purge-boundary.js';

export type ChainReport =
  | {
      ok: true;
      count: number;
      head: { seq: number; hash: string } | null;
      /** The last entry hashed without the key (0: none); a checkpoint records it. */
      legacyUntil: number;
      /** The last entry purged under the retention rule (0: none); the chain starts after it. */
      purgedThrough: number;
    }
  | { ok: false; count: number; seq: number; problem: string };

export interface VerifyOptions {
  /** Rows read per query: the chain is walked in pieces so a long log never sits in memory. */
  chunkSize?: number;
  /** Called after each chunk with the number of rows checked so far (for progress output). */
  onProgress?: (checked: number) => void;
  /** Signed checkpoints (signatures already checked) the table must still match. */
  checkpoints?: readonly Checkpoint[];
  /** Start after this checkpoint's head instead of at the first entry (checks it still matches). */
  from?: Checkpoint;
  /** Stop after this entry (the purger checks only what it is about to delete). */
  through?: number;
}

/** Where a walk begins: after a checkpoint's head, after a purge boundary, or at the start. */
interface Start {
  seq: number;
  hash: string;
  count: number;
  legacyUntil: number;
}

type StoredRow = ChainedRow & { hash: string; chain_version: number };

interface Walk {
  key: AuditKey;
  before: { seq: number; hash: string } | null;
  count: number;
  legacyUntil: number;
  keyedSeen: boolean;
  /** No legacy row may come after this entry: the smallest end of the prefix any checkpoint saw. */
  legacyLimit: { seq: number; cp: Checkpoint } | null;
  pins: Map<number, Checkpoint[]>;
}

const when = (cp: Checkpoint) => `the checkpoint of ${cp.at}`;

function gapProblem(row: StoredRow, w: Walk): string | null {
  const expectedSeq = w.before ? w.before.seq + 1 : 1;
  if (row.seq === expectedSeq) return null;
  const missing =
    row.seq - expectedSeq === 1
      ? `entry ${expectedSeq} is`
      : `entries ${expectedSeq}–${row.seq - 1} are`;
  return `${missing} missing (deleted?): the chain jumps from ${w.before ? w.before.seq : 'the start'} to ${row.seq}`;
}

/** Legacy (unkeyed) rows are allowed only as the prefix written before the audit key existed. */
function versionProblem(row: StoredRow, w: Walk): string | null {
  if (row.chain_version === KEYED_CHAIN) return null;
  if (row.chain_version !== LEGACY_CHAIN) return `unknown hash version ${row.chain_version}`;
  if (w.keyedSeen) {
    return 'marked as hashed without the audit key although keyed entries come before it (the chain was rewritten)';
  }
  const limit = w.legacyLimit;
  if (limit && row.seq > limit.seq) {
    return `marked as hashed without the audit key, but ${when(limit.cp)} records keyed hashing from entry ${limit.seq + 1} (the chain was rewritten)`;
  }
  return null;
}

/** What is wrong with one row given the walk so far, or null when it links correctly. */
function checkRow(row: StoredRow, w: Walk): string | null {
  const gap = gapProblem(row, w);
  if (gap) return gap;
  const expectedPrev = w.before ? w.before.hash : genesisHash;
  if (row.prev_hash !== expectedPrev) {
    return w.before
      ? `prev_hash does not match the hash of entry ${w.before.seq} (the chain was rewritten)`
      : 'prev_hash of the first entry is not the genesis value (the chain was rewritten)';
  }
  const version = versionProblem(row, w);
  if (version) return version;
  if (row.hash !== rowHash(row, row.chain_version as 0 | 1, w.key)) {
    return row.chain_version === LEGACY_CHAIN
      ? 'hash does not match the entry’s contents (the entry was changed after it was written)'
      : `hash does not match the entry’s contents under audit key ${w.key.id} (the entry was changed after it was written, or its hash recomputed without the key)`;
  }
  for (const cp of w.pins.get(row.seq) ?? []) {
    if (row.hash !== cp.headHash) {
      return `hash differs from the one ${when(cp)} recorded for it (this entry or one before it was rewritten)`;
    }
  }
  return null;
}

/** The first checkpoint the table no longer reaches: the newest entries were deleted. */
function truncation(w: Walk, cps: readonly Checkpoint[]): ChainReport | null {
  const last = w.before?.seq ?? 0;
  const beyond = cps.filter((cp) => cp.headSeq > last || cp.count > w.count);
  const cp = beyond.sort((a, b) => b.headSeq - a.headSeq)[0];
  if (!cp) return null;
  const ends = last === 0 ? 'the log is empty' : `the log ends at entry ${last}`;
  const problem = `${when(cp)} recorded ${cp.count} entries up to entry ${cp.headSeq}, but ${ends} (the newest entries were deleted)`;
  return { ok: false, count: w.count, seq: last + 1, problem };
}

function startWalk(key: AuditKey, opts: VerifyOptions, start: Start | null): Walk {
  const cps = opts.checkpoints ?? [];
  const pins = new Map<number, Checkpoint[]>();
  for (const cp of cps) pins.set(cp.headSeq, [...(pins.get(cp.headSeq) ?? []), cp]);
  const lowest = [...cps].sort((a, b) => a.legacyUntil - b.legacyUntil)[0];
  return {
    key,
    before: start && start.seq > 0 ? { seq: start.seq, hash: start.hash } : null,
    count: start?.count ?? 0,
    legacyUntil: start?.legacyUntil ?? 0,
    keyedSeen: start ? start.seq > start.legacyUntil : false,
    legacyLimit: lowest ? { seq: lowest.legacyUntil, cp: lowest } : null,
    pins,
  };
}

const fromCheckpoint = (cp: Checkpoint): Start => ({
  seq: cp.headSeq,
  hash: cp.headHash,
  count: cp.count,
  legacyUntil: cp.legacyUntil,
});

/**
 * The newest purge boundary, once every boundary's signature is checked. A checkpoint written at
 * the boundary's entry must agree with it; those below it name entries that no longer exist.
 */
async function purgeStart(
  db: Kysely<Database>,
  key: AuditKey,
  cps: readonly Checkpoint[],
): Promise<{ boundary: PurgeBoundary | null; problem: ChainReport | null }> {
  const boundaries = await purgeBoundaries(db);
  for (const b of boundaries) {
    const problem = boundaryProblem(b, key);
    if (problem) return { boundary: null, problem: { ok: false, count: 0, seq: b.seq, problem } };
  }
  const boundary = boundaries.at(-1) ?? null;
  const disagrees = cps.find(
    (cp) => boundary && cp.headSeq === boundary.seq && cp.headHash !== boundary.hash,
  );
  if (boundary && disagrees) {
    const problem = `the purge boundary at entry ${boundary.seq} records a hash other than ${when(disagrees)} (the chain was rewritten before it was purged)`;
    return { boundary, problem: { ok: false, count: 0, seq: boundary.seq, problem } };
  }
  return { boundary, problem: null };
}

const columns = [
  'seq',
  'at',
  'actor_kind',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'purpose',
  'detail',
  'prev_hash',
  'chain_version',
  'hash',
] as const;

/** Starting after a checkpoint: its head must still be there with the hash it recorded. */
async function checkStart(db: Kysely<Database>, w: Walk, from: Checkpoint) {
  if (from.headSeq === 0) return null;
  const row = await db
    .selectFrom('audit_log')
    .select('hash')
    .where('seq', '=', from.headSeq)
    .executeTakeFirst();
  if (row?.hash === from.headHash) return null;
  const problem = row
    ? `hash differs from the one ${when(from)} recorded for it (this entry or one before it was rewritten)`
    : `${when(from)} recorded entry ${from.headSeq}, which is missing (deleted?)`;
  return { ok: false as const, count: 0, seq: from.headSeq, problem };
}

/**
 * Walks the audit log in sequence order and reports the first row that does not link to the one
 * before it, is not hashed with the audit key, or differs from what a checkpoint recorded; then
 * whether the log is shorter than a checkpoint says it was (truncation of the newest rows).
 */
export async function verifyChain(
  db: Kysely<Database>,
  key: AuditKey,
  opts: VerifyOptions = {},
): Promise<ChainReport> {
  const chunkSize = opts.chunkSize ?? 1000;
  const { boundary, problem } = await purgeStart(db, key, opts.checkpoints ?? []);
  if (problem) return problem;
  // A checkpoint older than the purge names an entry that is gone: start at the boundary instead.
  const useFrom = opts.from && (!boundary || opts.from.headSeq >= boundary.seq);
  const w = startWalk(key, opts, useFrom ? fromCheckpoint(opts.from!) : boundary);
  const broken = useFrom ? await checkStart(db, w, opts.from!) : null;
  if (broken) return broken;
  for (;;) {
    let query = db.selectFrom('audit_log').select(columns).orderBy('seq').limit(chunkSize);
    if (w.before) query = query.where('seq', '>', w.before.seq);
    if (opts.through !== undefined) query = query.where('seq', '<=', opts.through);
    const rows = await query.execute();
    for (const raw of rows) {
      const row: StoredRow = {
        ...raw,
        seq: Number(raw.seq),
        chain_version: Number(raw.chain_version),
      };
      const problem = checkRow(row, w);
      if (problem) return { ok: false, count: w.count, seq: row.seq, problem };
      if (row.chain_version === KEYED_CHAIN) w.keyedSeen = true;
      else w.legacyUntil = row.seq;
      w.before = { seq: row.seq, hash: row.hash };
      w.count++;
    }
    opts.onProgress?.(w.count);
    if (rows.length < chunkSize) break;
  }
  const truncated = opts.through === undefined ? truncation(w, opts.checkpoints ?? []) : null;
  if (truncated) return truncated;
  const purgedThrough = boundary?.seq ?? 0;
  return { ok: true, count: w.count, head: w.before, legacyUntil: w.legacyUntil, purgedThrough };
}
