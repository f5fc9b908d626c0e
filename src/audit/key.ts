import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseMasterKey } from '../privacy/keyring.js';

// The audit key keys the hash chain and signs its checkpoints, so whoever holds only the
// database cannot rewrite history and recompute the hashes (docs/decisions/016). Like the data
// key it comes from the environment or, for the embedded default, a file made on first start;
// it must never be stored in the database or its backups.

export interface AuditKey {
  /** Short public name of the key, written in checkpoints so a wrong key is named as such. */
  id: string;
  /** HMAC key of the chain's row hashes. */
  chainKey: Buffer;
  /** HMAC key of the checkpoint signatures (a separate key: a row hash is never a signature). */
  checkpointKey: Buffer;
  /** Where the key came from, for messages: 'env', a file path, or 'test'. */
  source: string;
}

export const AUDIT_KEY_FILE = 'audit-key';

export function deriveAuditKey(master: Buffer, source: string): AuditKey {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return {
    id: createHash('sha256')
      .update('starspmb audit key id')
      .update(master)
      .digest('hex')
      .slice(0, 8),
    chainKey: derive('starspmb audit chain v1'),
    checkpointKey: derive('starspmb audit checkpoint v1'),
    source,
  };
}

export const hmacHex = (key: Buffer, text: string): string =>
  createHmac('sha256', key).update(text, 'utf8').digest('hex');

export interface AuditKeyOptions {
  dataDir: string;
  /** STARSPMB_AUDIT_KEY */
  key?: string | undefined;
  /** Make DATA_DIR/audit-key when there is none (the server); read-only commands pass false. */
  create: boolean;
  /** Told when a new key file was made, so the operator backs it up apart from the database. */
  onCreated?: (file: string) => void;
}

/** The audit key from STARSPMB_AUDIT_KEY or DATA_DIR/audit-key; undefined when neither exists and `create` is false. */
export function loadAuditKey(opts: AuditKeyOptions): AuditKey | undefined {
  if (opts.key) return deriveAuditKey(parseMasterKey(opts.key, 'STARSPMB_AUDIT_KEY'), 'env');
  const file = path.join(opts.dataDir, AUDIT_KEY_FILE);
  try {
    return deriveAuditKey(parseMasterKey(fs.readFileSync(file, 'utf8'), file), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read the audit key file ${file}: ${(err as Error).message}`);
    }
  }
  if (!opts.create) return undefined;
  const master = randomBytes(32);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  try {
    // 'wx': two processes starting at once must not each write a different key.
    fs.writeFileSync(file, `${master.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return loadAuditKey({ ...opts, create: false });
    throw err;
  }
  opts.onCreated?.(file);
  return deriveAuditKey(master, file);
}

let current: AuditKey | undefined;

/**
 * Sets the key every append in this process uses. The server and the CLI call it once at start
 * (tests: `freshDatabase`); one process serves one database, so one key is enough, and the many
 * services that append need not carry it.
 */
export function useAuditKey(key: AuditKey): void {
  current = key;
}

/** The key set by `useAuditKey`; appending without one fails rather than writing an unkeyed row. */
export function currentAuditKey(): AuditKey {
  if (!current) {
    throw new Error(
      'The audit key is not loaded (STARSPMB_AUDIT_KEY or DATA_DIR/audit-key): audit entries cannot be written.',
    );
  }
  return current;
}

/**
 * What the server and every CLI command that appends to the log do first: the configured key, or
 * the one in DATA_DIR, made on first use with a warning to keep a copy apart from the backups.
 */
export function useConfiguredAuditKey(config: {
  dataDir: string;
  auditKey?: string | undefined;
}): void {
  const key = loadAuditKey({
    dataDir: config.dataDir,
    key: config.auditKey,
    create: true,
    onCreated: (file) =>
      console.warn(
        `\nCreated the audit key ${file} (readable by this user only).\n` +
          'Keep a copy apart from the database and its backups: it is what proves the audit log was not rewritten.\n',
      ),
  });
  if (!key) throw new Error('no audit key');
  useAuditKey(key);
}
