import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AccountLinkPurpose, Database } from '../db/schema.js';

// One-time account links (invitations, password resets) in the table of the first-run setup
// link (docs/decisions/026-staff-links.md). A link's token is derived from a random nonce and the
// app secret: the database keeps the nonce and the token's SHA-256, the outbox row only that
// hash, so neither a copy of the database nor the mail queue alone opens an account.

type Trx = Kysely<Database>;
export type MailedLinkPurpose = Exclude<AccountLinkPurpose, 'setup'>;

const HOUR = 3_600_000;
/** How long a link works: an invitation 72 hours, a password reset 30 minutes. */
export const LINK_TTL_MS: Record<MailedLinkPurpose, number> = {
  invite: 72 * HOUR,
  reset: 30 * 60_000,
};

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
/** Tokens are base64url of 32 bytes; anything else is refused before touching the database. */
export const wellFormedToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

export function linkToken(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`account-link:${nonce}`).digest('base64url');
}

/** A usable link: unused, not expired, for this purpose. */
export interface LiveLink {
  token_hash: string;
  user_id: string;
  expires_at: string;
}

export function createAccountLinks(secret: string) {
  /** Makes a link for this account, ending any earlier unused link of the same purpose. */
  async function issue(trx: Trx, purpose: MailedLinkPurpose, userId: string, now: Date) {
    await revoke(trx, userId, [purpose], now);
    const nonce = randomBytes(18).toString('base64url');
    const token = linkToken(secret, nonce);
    const tokenHash = sha256Hex(token);
    const expiresAt = new Date(now.getTime() + LINK_TTL_MS[purpose]).toISOString();
    await trx
      .insertInto('setup_tokens')
      .values({
        token_hash: tokenHash,
        purpose,
        user_id: userId,
        nonce,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
    return { token, tokenHash, expiresAt };
  }

  async function find(
    db: Trx,
    purpose: MailedLinkPurpose,
    token: string,
    now: Date,
  ): Promise<LiveLink | undefined> {
    if (!wellFormedToken(token)) return undefined;
    return live(db, purpose, sha256Hex(token), now);
  }

  /** Only one caller turns used_at from null to a time: a link cannot be used twice. */
  async function claim(trx: Trx, purpose: MailedLinkPurpose, token: string, now: Date) {
    const res = await trx
      .updateTable('setup_tokens')
      .set({ used_at: now.toISOString() })
      .where('token_hash', '=', sha256Hex(token))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  }

  /** The token of a live link by its hash, for the mail that carries it; undefined once dead. */
  async function tokenOf(db: Trx, purpose: MailedLinkPurpose, tokenHash: string, now: Date) {
    const row = await db
      .selectFrom('setup_tokens')
      .select(['nonce', 'user_id', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    if (!row?.nonce || !row.user_id) return undefined;
    const token = linkToken(secret, row.nonce);
    return sha256Hex(token) === tokenHash
      ? { token, userId: row.user_id, expiresAt: row.expires_at }
      : undefined;
  }

  return { issue, find, claim, tokenOf, revoke, recentCount };
}

async function live(db: Trx, purpose: MailedLinkPurpose, tokenHash: string, now: Date) {
  const row = await db
    .selectFrom('setup_tokens')
    .select(['token_hash', 'user_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row?.user_id ? { ...row, user_id: row.user_id } : undefined;
}

/**
 * Ends this account's unused links of these purposes (a newer link, a reset, a disabled account).
 * They are marked used rather than deleted, so recent ones still count towards the bound on
 * reset mails; the retention run deletes used links.
 */
async function revoke(trx: Trx, userId: string, purposes: readonly MailedLinkPurpose[], now: Date) {
  await trx
    .updateTable('setup_tokens')
    .set({ used_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .execute();
}

/** Links of a purpose made for this account since a time: bounds reset mails per account. */
async function recentCount(db: Trx, purpose: MailedLinkPurpose, userId: string, since: Date) {
  const row = await db
    .selectFrom('setup_tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('created_at', '>', since.toISOString())
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export type AccountLinks = ReturnType<typeof createAccountLinks>;
