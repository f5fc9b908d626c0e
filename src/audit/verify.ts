import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { genesisHash, rowHash, type ChainedRow } from './log.js';

export type ChainReport =
  | { ok: true; count: number; head: { seq: number; hash: string } | null }
  | { ok: false; count: number; seq: number; problem: string };

export interface VerifyOptions {
  /** Rows read per query: the chain is walked in pieces so a long log never sits in memory. */
  chunkSize?: number;
  /** Called after each chunk with the number of rows checked so far (for progress output). */
  onProgress?: (checked: number) => void;
}

type StoredRow = ChainedRow & { hash: string };

/** What is wrong with one row given the row before it, or null when it links correctly. */
function checkRow(row: StoredRow, before: StoredRow | null): string | null {
  const expectedSeq = before ? before.seq + 1 : 1;
  if (row.seq !== expectedSeq) {
    const missing =
      row.seq - expectedSeq === 1
        ? `entry ${expectedSeq} is`
        : `entries ${expectedSeq}–${row.seq - 1} are`;
    return `${missing} missing (deleted?): the chain jumps from ${before ? before.seq : 'the start'} to ${row.seq}`;
  }
  const expectedPrev = before ? before.hash : genesisHash;
  if (row.prev_hash !== expectedPrev) {
    return before
      ? `prev_hash does not match the hash of entry ${before.seq} (the chain was rewritten)`
      : 'prev_hash of the first entry is not the genesis value (the chain was rewritten)';
  }
  if (row.hash !== rowHash(row)) {
    return 'hash does not match the entry’s contents (the entry was changed after it was written)';
  }
  return null;
}

/**
 * Walks the whole audit log in sequence order and reports the first row that does not link to
 * the one before it. Deleting the newest rows leaves no trace in the chain itself, which is why
 * the report includes the head: an operator who records it can tell later if the log got shorter.
 */
export async function verifyChain(
  db: Kysely<Database>,
  opts: VerifyOptions = {},
): Promise<ChainReport> {
  const chunkSize = opts.chunkSize ?? 1000;
  let before: StoredRow | null = null;
  let count = 0;
  for (;;) {
    let query = db
      .selectFrom('audit_log')
      .select([
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
        'hash',
      ])
      .orderBy('seq')
      .limit(chunkSize);
    if (before) query = query.where('seq', '>', before.seq);
    const rows = await query.execute();
    for (const raw of rows) {
      const row: StoredRow = { ...raw, seq: Number(raw.seq) };
      const problem = checkRow(row, before);
      if (problem) return { ok: false, count, seq: row.seq, problem };
      before = row;
      count++;
    }
    opts.onProgress?.(count);
    if (rows.length < chunkSize) break;
  }
  return { ok: true, count, head: before ? { seq: before.seq, hash: before.hash } : null };
}
