import fs from 'node:fs';
import path from 'node:path';
import { hmacHex, type AuditKey } from './key.js';

// A checkpoint is a signed statement of the chain's head at a time, kept outside the database:
// the table can then neither lose its newest entries nor be rewritten below the head unnoticed.
// One JSON object a line in a file of its own, also written to the log (docs/decisions/016).

export interface Checkpoint {
  v: 1;
  /** When it was written (ISO). */
  at: string;
  /** The newest entry then (0 and the genesis hash for an empty log). */
  headSeq: number;
  headHash: string;
  /** Entries in the table then. */
  count: number;
  /** The last entry hashed without the key (0: none); later entries must all be keyed. */
  legacyUntil: number;
  /** Which audit key signed it, so a wrong key is named as such rather than as tampering. */
  keyId: string;
  sig: string;
}

export type Unsigned = Omit<Checkpoint, 'sig' | 'keyId' | 'v'>;

function signedText(c: Omit<Checkpoint, 'sig'>): string {
  return JSON.stringify([c.v, c.at, c.headSeq, c.headHash, c.count, c.legacyUntil, c.keyId]);
}

export function signCheckpoint(c: Unsigned, key: AuditKey): Checkpoint {
  const body = { v: 1 as const, ...c, keyId: key.id };
  return { ...body, sig: hmacHex(key.checkpointKey, signedText(body)) };
}

export interface CheckpointFile {
  checkpoints: Checkpoint[];
  /** Lines that are not a checkpoint signed by this key: the file was edited, or the key is wrong. */
  problems: { line: number; problem: string }[];
}

const isInt = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function wellFormed(c: Partial<Checkpoint>): c is Checkpoint {
  return (
    c.v === 1 &&
    typeof c.at === 'string' &&
    isInt(c.headSeq) &&
    typeof c.headHash === 'string' &&
    isInt(c.count) &&
    isInt(c.legacyUntil) &&
    typeof c.keyId === 'string' &&
    typeof c.sig === 'string'
  );
}

function checkLine(text: string, key: AuditKey): Checkpoint | string {
  let parsed: Partial<Checkpoint>;
  try {
    parsed = JSON.parse(text) as Partial<Checkpoint>;
  } catch {
    return 'not a checkpoint (not JSON)';
  }
  if (!wellFormed(parsed)) return 'not a checkpoint (fields missing or of the wrong type)';
  if (parsed.keyId !== key.id) {
    return `signed by audit key ${parsed.keyId}, but the loaded key is ${key.id} (set STARSPMB_AUDIT_KEY to the key in use when it was written)`;
  }
  if (hmacHex(key.checkpointKey, signedText(parsed)) !== parsed.sig) {
    return 'signature does not match (the line was changed after it was written)';
  }
  return parsed;
}

/** Reads and checks every line; a missing file is an empty list (the caller says what that means). */
export function readCheckpoints(file: string, key: AuditKey): CheckpointFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], problems: [] };
    throw new Error(`cannot read the audit checkpoint file ${file}: ${(err as Error).message}`);
  }
  const out: CheckpointFile = { checkpoints: [], problems: [] };
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const result = checkLine(line, key);
    if (typeof result === 'string') out.problems.push({ line: i + 1, problem: result });
    else out.checkpoints.push(result);
  });
  return out;
}

/** Appends one line, creating the file (owner-only) and its folder when missing. */
export function appendCheckpoint(file: string, cp: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
}
