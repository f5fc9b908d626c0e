import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeOwnerDir, OWNER_FILE } from '../config/data-dir.js';

// The data key protects contact fields at rest (AES-256-GCM) and keys the blind indexes used to
// find a person by email or phone without decrypting. One master key per generation; the
// encryption and index keys are derived from it so one secret is all an operator backs up.

export interface DataKey {
  /** Short public name of the key, stored beside each value it sealed. */
  id: string;
  encKey: Buffer;
  indexKey: Buffer;
}

export interface Keyring {
  current: DataKey;
  /** Every key that may have sealed a stored value, current first. */
  all: DataKey[];
  byId(id: string): DataKey | undefined;
  /** Where the keys came from, for messages: 'env' or the key file's path. */
  source: string;
}

interface KeyFile {
  current: string;
  keys: { id: string; key: string; createdAt: string }[];
}

export const KEY_FILE = 'data-keys.json';

export function parseMasterKey(text: string, what = 'STARSPMB_DATA_KEY'): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64url');
  if (key.length !== 32) {
    throw new Error(
      `${what} must be 32 random bytes, written as 64 hex digits or base64 (for example: openssl rand -base64 32)`,
    );
  }
  return key;
}

export function deriveKey(master: Buffer): DataKey {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return {
    id: createHash('sha256').update(master).digest('hex').slice(0, 8),
    encKey: derive('starspmb field encryption v1'),
    indexKey: derive('starspmb blind index v1'),
  };
}

export function keyringOf(masters: Buffer[], source: string): Keyring {
  const all = masters.map(deriveKey);
  const current = all[0];
  if (!current) throw new Error('no data key');
  const map = new Map(all.map((k) => [k.id, k]));
  return { current, all, byId: (id) => map.get(id), source };
}

export interface KeyringOptions {
  dataDir: string;
  /** STARSPMB_DATA_KEY */
  key?: string | undefined;
  /** STARSPMB_PREVIOUS_DATA_KEYS: older keys still needed to read values not yet re-encrypted. */
  previous?: string | undefined;
  /** Told when the embedded default makes a new key file, so the operator backs it up. */
  onCreated?: (file: string) => void;
}

/** The data keys: from the environment, or for the embedded default a key file made on first start. */
export function loadKeyring(opts: KeyringOptions): Keyring {
  if (opts.key) {
    const previous = (opts.previous ?? '')
      .split(',')
      .filter((s) => s.trim())
      .map((s) => parseMasterKey(s, 'STARSPMB_PREVIOUS_DATA_KEYS'));
    return keyringOf([parseMasterKey(opts.key), ...previous], 'env');
  }
  const file = path.join(opts.dataDir, KEY_FILE);
  const existing = readKeyFile(file);
  if (existing) return fromFile(existing, file);
  const created = newKeyFile();
  makeOwnerDir(opts.dataDir);
  fs.writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: OWNER_FILE, flag: 'wx' });
  opts.onCreated?.(file);
  return fromFile(created, file);
}

function readKeyFile(file: string): KeyFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the data key file ${file}: ${(err as Error).message}`);
  }
}

function fromFile(f: KeyFile, file: string): Keyring {
  const current = f.keys.find((k) => k.id === f.current);
  if (!current) throw new Error(`the data key file ${file} names a current key it does not hold`);
  const rest = f.keys.filter((k) => k !== current);
  return keyringOf(
    [current, ...rest].map((k) => parseMasterKey(k.key, file)),
    file,
  );
}

function newKeyFile(): KeyFile {
  const master = randomBytes(32);
  const id = deriveKey(master).id;
  return {
    current: id,
    keys: [{ id, key: master.toString('base64url'), createdAt: new Date().toISOString() }],
  };
}

/**
 * Adds a new current key to the key file, keeping the older ones to read what they sealed.
 * Returns the file's keyring after the change. Only for the key file: keys from the
 * environment are rotated by the operator (new STARSPMB_DATA_KEY, old one in *_PREVIOUS_*).
 */
export function addKeyToFile(dataDir: string): Keyring {
  const file = path.join(dataDir, KEY_FILE);
  const f = readKeyFile(file);
  if (!f) throw new Error(`no data key file at ${file}`);
  const fresh = newKeyFile().keys[0]!;
  const next: KeyFile = { current: fresh.id, keys: [fresh, ...f.keys] };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: OWNER_FILE });
  fs.renameSync(tmp, file);
  return fromFile(next, file);
}

/** Drops keys that no stored value uses any more from the key file. */
export function dropKeysFromFile(dataDir: string, keep: (id: string) => boolean): string[] {
  const file = path.join(dataDir, KEY_FILE);
  const f = readKeyFile(file);
  if (!f) return [];
  const dropped = f.keys.filter((k) => k.id !== f.current && !keep(k.id)).map((k) => k.id);
  if (dropped.length === 0) return [];
  const next: KeyFile = { current: f.current, keys: f.keys.filter((k) => !dropped.includes(k.id)) };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: OWNER_FILE });
  fs.renameSync(tmp, file);
  return dropped;
}

/** When the key file's current key was made (undefined with no key file): `drop-old` waits. */
export function currentKeySince(dataDir: string): Date | undefined {
  const f = readKeyFile(path.join(dataDir, KEY_FILE));
  const at = f?.keys.find((k) => k.id === f.current)?.createdAt;
  return at ? new Date(at) : undefined;
}
