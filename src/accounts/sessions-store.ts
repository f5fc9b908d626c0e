import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import type { Config } from '../config/env.js';
import type { Db } from '../db/database.js';
import type { AccountKind, SessionStage } from '../db/schema.js';
import * as repo from './sessions-repository.js';

// Server-side sessions for every kind of account (docs/decisions/025-second-factor-and-sessions.md).
// The browser holds a random token; the database only its SHA-256. Sign-in, the second factor
// and a step-up each issue a new token and delete the old one, so a token planted before any
// of them (session fixation) is worth nothing after.

export const MINUTE = 60_000;
/** Idle logoff per kind of account: staff see patients' and providers' contact data. */
export const idleLimits: Readonly<Record<AccountKind, number>> = {
  staff: 15 * MINUTE,
  client: 30 * MINUTE,
  partner: 30 * MINUTE,
};
/** The longest idle limit of any kind: past it, no session of any kind is alive. */
export const LONGEST_IDLE_MS = Math.max(...Object.values(idleLimits));
export const SESSION_LIFETIME_MS = 12 * 60 * MINUTE;
/** A sign-in waiting for its second factor or a required enrolment lasts this long at most. */
export const PENDING_LIFETIME_MS = 15 * MINUTE;
/** Sensitive actions ask for the second factor (or password) again past this age. */
export const STEP_UP_AFTER_MS = 15 * MINUTE;
// last_seen_at is written at most this often, so browsing is not one UPDATE per request.
const TOUCH_INTERVAL_MS = MINUTE;

export const SESSION_COOKIE = 'sid';

/**
 * The session cookie: `__Host-` prefixed when the site is served over HTTPS (the prefix requires
 * Secure, path / and no Domain, so no subdomain can set or shadow it); plain `sid` on a local
 * http address, where a browser would refuse a Secure cookie.
 */
export function sessionCookie(config: Pick<Config, 'baseUrl'>) {
  const secure = config.baseUrl.startsWith('https:');
  return {
    name: secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE,
    options: {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure,
      path: '/',
      maxAge: SESSION_LIFETIME_MS / 1000,
    },
  };
}

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
const iso = (ms: number) => new Date(ms).toISOString();
/** What the sessions page names a session by: not the stored hash, and not the token. */
const refOf = (idHash: string) => hashToken(`ref:${idHash}`).slice(0, 32);

export interface LiveSession {
  idHash: string;
  userId: string;
  stage: SessionStage;
  createdAt: string;
  /** When the person last proved who they are; null for a session still signing in. */
  verifiedAt: string | null;
}

export function createSessionStore(deps: { db: Db; clock: Clock; kind: AccountKind }) {
  const { db, clock, kind } = deps;
  const idle = idleLimits[kind];

  async function start(
    userId: string,
    opts: { stage: SessionStage; device?: string | undefined; now?: Date },
  ): Promise<string> {
    const now = opts.now ?? clock.now();
    const t = now.getTime();
    await repo.deleteExpiredSessions(db, kind, now.toISOString(), iso(t - idle));
    const token = newToken();
    const active = opts.stage === 'active';
    await repo.insertSession(db, {
      id_hash: hashToken(token),
      user_id: userId,
      account_kind: kind,
      stage: opts.stage,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: iso(t + (active ? SESSION_LIFETIME_MS : PENDING_LIFETIME_MS)),
      verified_at: active ? now.toISOString() : null,
      device: opts.device ?? null,
    });
    return token;
  }

  /** The live session a token opens, or null (unknown, idle too long, past its lifetime). */
  async function find(token: string | undefined, now: Date = clock.now()) {
    if (!token || !tokenPattern.test(token)) return null;
    const idHash = hashToken(token);
    const s = await repo.findSession(db, idHash, kind);
    if (!s) return null;
    const t = now.getTime();
    const seen = Date.parse(s.last_seen_at);
    if (t - seen >= idle || Date.parse(s.expires_at) <= t) {
      await repo.deleteSession(db, idHash);
      return null;
    }
    if (t - seen >= TOUCH_INTERVAL_MS) await repo.touchSession(db, idHash, now.toISOString());
    const live: LiveSession = {
      idHash,
      userId: s.user_id,
      stage: s.stage,
      createdAt: s.created_at,
      verifiedAt: s.verified_at,
    };
    return live;
  }

  /**
   * A new token for a session that just proved something (second factor, enrolment, step-up):
   * the old token stops working. A pending session becomes active with the full lifetime from
   * now; an active one keeps its absolute end, so re-verifying never extends it.
   */
  async function rotate(session: LiveSession, now: Date = clock.now()): Promise<string> {
    const row = await repo.findSession(db, session.idHash, kind);
    if (!row || (await repo.deleteSession(db, session.idHash)) !== 1) {
      throw new Error('session ended while being renewed');
    }
    const token = newToken();
    const at = now.toISOString();
    const wasPending = row.stage !== 'active';
    await repo.insertSession(db, {
      id_hash: hashToken(token),
      user_id: row.user_id,
      account_kind: kind,
      stage: 'active',
      created_at: wasPending ? at : row.created_at,
      last_seen_at: at,
      expires_at: wasPending ? iso(now.getTime() + SESSION_LIFETIME_MS) : row.expires_at,
      verified_at: at,
      device: row.device,
    });
    return token;
  }

  /** Has the person proved who they are within the last 15 minutes? */
  const fresh = (session: LiveSession, now: Date = clock.now()) =>
    session.verifiedAt !== null &&
    now.getTime() - Date.parse(session.verifiedAt) < STEP_UP_AFTER_MS;

  async function list(userId: string, current: LiveSession) {
    const now = clock.now().getTime();
    const rows = await repo.sessionsOf(db, kind, userId);
    return rows
      .filter((r) => r.stage === 'active' && now - Date.parse(r.last_seen_at) < idle)
      .map((r) => ({
        ref: refOf(r.id_hash),
        device: r.device ?? 'Unknown device',
        signedInAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        current: r.id_hash === current.idHash,
      }));
  }

  /** Ends one of the account's own sessions by its reference; false when it has none such. */
  async function revoke(userId: string, ref: string): Promise<boolean> {
    const rows = await repo.sessionsOf(db, kind, userId);
    const match = rows.find((r) => refOf(r.id_hash) === ref);
    return match ? (await repo.deleteSession(db, match.id_hash)) === 1 : false;
  }

  /** Counts a wrong code; past `limit`, the session ends and false is returned. */
  async function codeFailed(session: LiveSession, limit: number): Promise<boolean> {
    if ((await repo.addCodeFailure(db, session.idHash)) < limit) return true;
    await repo.deleteSession(db, session.idHash);
    return false;
  }

  return {
    start,
    codeFailed,
    find,
    rotate,
    fresh,
    list,
    revoke,
    /** Ends every other session of the account; returns how many. */
    revokeOthers: (userId: string, current: LiveSession) =>
      repo.deleteSessionsOf(db, kind, userId, current.idHash),
    /** Ends every session of the account (disabled, password changed). */
    endAll: (userId: string) => repo.deleteSessionsOf(db, kind, userId),
    end: async (token: string | undefined) => {
      if (!token || !tokenPattern.test(token)) return null;
      const s = await repo.findSession(db, hashToken(token), kind);
      if (s) await repo.deleteSession(db, hashToken(token));
      return s?.user_id ?? null;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
