import type { Db } from '../db/database.js';
import { enqueue } from '../outbox/repository.js';
import { keyedFingerprint, networkOf } from '../privacy/fingerprints.js';
import * as repo from './throttle-repository.js';

const MINUTE = 60_000;
/** Failures are counted in windows this long; a throttle lasts until its window ends. */
export const THROTTLE_WINDOW_MS = 15 * MINUTE;

export interface ThrottleLimits {
  /** Failures from one source network against one account before that source is throttled. */
  perSource: number;
  /**
   * Failures against one account from all sources before every source is throttled, the owner
   * included: the price of bounding a distributed guesser (docs/decisions/018-login-throttle.md).
   * At perSource each, it takes perAccount / perSource networks to reach it.
   */
  perAccount: number;
}

export const defaultThrottleLimits: ThrottleLimits = { perSource: 5, perAccount: 100 };

/** Which threshold a failure passed, as the owner's email words it. */
export type ThrottleScope = 'source' | 'account';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Failed sign-ins counted per (account, source) and per account, keyed by fingerprints of the
 * email typed and of the network, so an unknown email takes exactly the path a real one does.
 */
export function createLoginThrottle(deps: {
  db: Db;
  secret: string;
  limits: ThrottleLimits;
  onCommit: () => void;
}) {
  const { db, limits } = deps;

  const keyOf = (email: string, source: string): repo.FailureKey => ({
    account_key: keyedFingerprint(deps.secret, 'login-account', email),
    source_key: keyedFingerprint(deps.secret, 'login-source', networkOf(source)),
  });

  async function throttled(key: repo.FailureKey, now: Date): Promise<boolean> {
    const after = iso(now.getTime() - THROTTLE_WINDOW_MS);
    const open = await repo.openCounts(db, key.account_key, key.source_key, after);
    return open.source >= limits.perSource || open.all >= limits.perAccount;
  }

  /**
   * Counts a failure; when it passes a threshold, the owner (if the email is an account's) is
   * emailed, at most once per window, in the transaction that claims the notice.
   */
  async function failed(key: repo.FailureKey, userId: string | undefined, now: Date) {
    const at = now.toISOString();
    const windowStart = iso(now.getTime() - THROTTLE_WINDOW_MS);
    const source = await repo.countFailure(db, key, at, windowStart);
    const all = await repo.countFailure(
      db,
      { account_key: key.account_key, source_key: repo.ALL_SOURCES },
      at,
      windowStart,
    );
    const scope: ThrottleScope | undefined =
      all >= limits.perAccount ? 'account' : source >= limits.perSource ? 'source' : undefined;
    if (!scope) return;
    // Unknown emails claim the notice too, so a real account costs no query of its own.
    const queued = await db.transaction().execute(async (trx) => {
      if (!(await repo.claimNotice(trx, key.account_key, at, windowStart))) return false;
      if (!userId) return false;
      await enqueue(trx, 'login_alert', { userId, scope, at }, now);
      return true;
    });
    if (queued) deps.onCommit();
  }

  return {
    keyOf,
    throttled,
    failed,
    succeeded: (key: repo.FailureKey) => repo.clearSource(db, key),
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
