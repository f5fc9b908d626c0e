import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { dayOf, SESSION_GAP_S } from './codes.js';

/** First-party visitor cookie, set only with analytics consent and never under GPC or DNT. */
export const VISITOR_COOKIE = 'spmb_vid';
/** Marker set at a client login, read only with analytics consent. */
export const CLIENT_COOKIE = 'spmb_client';
/** 13 months, the longest the policy allows an analytics cookie to live. */
export const VISITOR_COOKIE_MAX_AGE_S = 395 * 24 * 3600;

const short = (input: string) =>
  createHash('sha256').update(input).digest('base64url').slice(0, 12);

/**
 * Daily random salts. A salt is made when its day first needs one and deleted once it is older
 * than yesterday, so a past day's visitor hashes can never be recomputed (a salt derived from
 * the date could be).
 */
export function createSalts(db: Db) {
  const cache = new Map<number, string>();

  async function saltFor(day: number): Promise<string> {
    const cached = cache.get(day);
    if (cached) return cached;
    await db
      .insertInto('analytics_salts')
      .values({ day, salt: randomBytes(32).toString('hex') })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await db
      .selectFrom('analytics_salts')
      .select('salt')
      .where('day', '=', day)
      .executeTakeFirstOrThrow();
    await rotate(day);
    cache.set(day, row.salt);
    return row.salt;
  }

  /** Keeps today's and yesterday's salt only. */
  async function rotate(today: number): Promise<void> {
    await db
      .deleteFrom('analytics_salts')
      .where('day', '<', today - 1)
      .execute();
    for (const d of cache.keys()) if (d < today - 1) cache.delete(d);
  }

  return {
    rotate,
    /**
     * This browser's hash under today's salt and, in the first half hour of the day, under
     * yesterday's: only then can a visit begun before midnight still be open. Nothing of the IP
     * survives the hash.
     */
    async visitorHashes(
      at: number,
      site: string,
      ip: string,
      ua: string,
    ): Promise<[string, string | null]> {
      const day = dayOf(at);
      const browser = `${site}|${ip}|${ua}`;
      const today = short(`${cache.get(day) ?? (await saltFor(day))}|${browser}`);
      if (at - day * 86_400 >= SESSION_GAP_S) return [today, null];
      return [today, short(`${cache.get(day - 1) ?? (await saltFor(day - 1))}|${browser}`)];
    },
  };
}
export type Salts = ReturnType<typeof createSalts>;

/** A consented cookie's id, stored only as a hash so the tables never hold the cookie itself. */
export const cookieVisitor = (id: string) => short(`cookie|${id}`);
export const newVisitorId = () => randomBytes(16).toString('base64url');
export const validVisitorId = (v: string | undefined): v is string =>
  !!v && /^[A-Za-z0-9_-]{22}$/.test(v);
