import { createHash, createHmac, randomBytes } from 'node:crypto';

// A link token is derived from a random nonce and the app secret. The outbox row that mails the
// link keeps only the nonce and the database keeps only the token's SHA-256, so neither a copy
// of the database nor the mail queue alone can open someone's request.

export const newNonce = (): string => randomBytes(18).toString('base64url');

export function tokenFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`privacy-link:${nonce}`).digest('base64url');
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** Tokens are base64url of 32 bytes; anything else is refused before touching the database. */
export const wellFormedToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);
