import type { Kysely } from 'kysely';
import type { AuditPurgesTable, Database } from '../db/schema.js';
import { hmacHex, type AuditKey } from './key.js';

// Where the purged prefix of the audit log ended (docs/decisions/022). The purger records a
// boundary, signed under the audit key's checkpoint key, before it deletes anything; verify then
// starts the chain after it. Without the key no one can move a boundary forward to hide deleted
// entries, and the database refuses deleting a row no boundary covers.

export interface PurgeBoundary {
  /** The last purged entry, and its hash: the next entry's prev_hash must equal it. */
  seq: number;
  hash: string;
  /** Entries in the chain up to and including `seq`. */
  count: number;
  /** The last entry hashed without the key (0: none). */
  legacyUntil: number;
  at: string;
  keyId: string;
  sig: string;
}

// The leading word keeps a boundary's signed text from ever equalling a checkpoint's.
const signedText = (b: Omit<PurgeBoundary, 'sig'>) =>
  JSON.stringify(['audit purge v1', b.seq, b.hash, b.count, b.legacyUntil, b.at, b.keyId]);

export function signBoundary(
  b: Omit<PurgeBoundary, 'sig' | 'keyId'>,
  key: AuditKey,
): PurgeBoundary {
  const body = { ...b, keyId: key.id };
  return { ...body, sig: hmacHex(key.checkpointKey, signedText(body)) };
}

/** Why a stored boundary cannot be trusted, or null when this key signed it as it stands. */
export function boundaryProblem(b: PurgeBoundary, key: AuditKey): string | null {
  if (b.keyId !== key.id)
    return `the purge boundary at entry ${b.seq} was signed by audit key ${b.keyId}, but the loaded key is ${key.id}`;
  if (hmacHex(key.checkpointKey, signedText(b)) !== b.sig)
    return `the purge boundary at entry ${b.seq} does not carry a valid signature (it was forged or changed after it was written)`;
  return null;
}

const toBoundary = (r: AuditPurgesTable): PurgeBoundary => ({
  seq: Number(r.through_seq),
  hash: r.through_hash,
  count: Number(r.count),
  legacyUntil: Number(r.legacy_until),
  at: r.at,
  keyId: r.key_id,
  sig: r.sig,
});

/** Every recorded boundary, oldest first. */
export async function purgeBoundaries(db: Kysely<Database>): Promise<PurgeBoundary[]> {
  const rows = await db.selectFrom('audit_purges').selectAll().orderBy('through_seq').execute();
  return rows.map(toBoundary);
}

export async function insertBoundary(db: Kysely<Database>, b: PurgeBoundary): Promise<void> {
  await db
    .insertInto('audit_purges')
    .values({
      through_seq: b.seq,
      through_hash: b.hash,
      count: b.count,
      legacy_until: b.legacyUntil,
      at: b.at,
      key_id: b.keyId,
      sig: b.sig,
    })
    .execute();
}
