import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { DataKey, Keyring } from './keyring.js';

// A sealed value: "enc1.<key id>.<base64url(iv | ciphertext | tag)>". The column name is bound
// in as associated data, so a sealed email cannot be moved into another column and still open.
const PREFIX = 'enc1.';

export class UnreadableValueError extends Error {
  constructor(readonly reason: string) {
    super(`a protected value could not be opened: ${reason}`);
    this.name = 'UnreadableValueError';
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The id of the key that sealed a value, or null for a value stored before encryption. */
export function sealedWith(value: string): string | null {
  if (!isSealed(value)) return null;
  return value.slice(PREFIX.length, value.indexOf('.', PREFIX.length));
}

// IVs are drawn from a pool refilled by the CSPRNG: one system call per 256 seals, not one each.
const IV_BYTES = 12;
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function freshIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 256);
    ivAt = 0;
  }
  ivAt += IV_BYTES;
  return ivPool.subarray(ivAt - IV_BYTES, ivAt);
}

export function seal(key: DataKey, where: string, plain: string): string {
  const iv = freshIv();
  const c = createCipheriv('aes-256-gcm', key.encKey, iv);
  c.setAAD(Buffer.from(where));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${PREFIX}${key.id}.${Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url')}`;
}

/** Opens a sealed value; a value stored before encryption comes back as it is. */
export function open(keys: Keyring, where: string, stored: string): string {
  if (!isSealed(stored)) return stored;
  const id = sealedWith(stored) ?? '';
  const key = keys.byId(id);
  if (!key) throw new UnreadableValueError(`key ${id} is not loaded (restore it from backup)`);
  const raw = Buffer.from(stored.slice(PREFIX.length + id.length + 1), 'base64url');
  if (raw.length < 28) throw new UnreadableValueError('truncated');
  try {
    const d = createDecipheriv('aes-256-gcm', key.encKey, raw.subarray(0, 12));
    d.setAAD(Buffer.from(where));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  } catch {
    throw new UnreadableValueError('authentication failed (altered, or sealed for another column)');
  }
}

/**
 * Does a stored value hold any text? A sealed value's body is IV (12 bytes), ciphertext and tag
 * (16 bytes), and AES-GCM ciphertext is as long as the text: an empty text seals to 28 bytes.
 * Lets a clean-up tell a stored number from a sealed empty field without the key.
 */
export function holdsText(stored: string): boolean {
  if (!isSealed(stored)) return stored !== '';
  const id = sealedWith(stored) ?? '';
  return Buffer.from(stored.slice(PREFIX.length + id.length + 1), 'base64url').length > 28;
}

export type IndexKind = 'email' | 'phone';

/** The normal form a blind index is computed over: what makes two entries "the same person". */
export function normalizeFor(kind: IndexKind, value: string): string {
  return kind === 'email' ? value.trim().toLowerCase() : value.replace(/[^\d+]/g, '');
}

/** A keyed hash (HMAC-SHA256) for exact lookups; without the key it reveals nothing. */
export function blindIndex(key: DataKey, kind: IndexKind, value: string): string {
  return createHmac('sha256', key.indexKey)
    .update(`${kind}:${normalizeFor(kind, value)}`)
    .digest('base64url')
    .slice(0, 32);
}
