import type { Redis } from 'ioredis';
import type { Clock } from '../adapters/clock.js';
import { keyedFingerprint, networkOf } from '../privacy/fingerprints.js';

// The intake form's per-source bounds. What a person hits is the count of submissions *accepted*
// from their network in the window: sending a form back to fix a field costs nothing. Every post,
// accepted or not, also counts towards a much higher bound, so a script cannot make the server
// validate without end. Counters are keyed by a keyed fingerprint of the address, never the
// address, in Redis when several instances share them, otherwise in this process.

export interface IntakeLimits {
  /** Counts a post; true when this source is past either bound and must wait. */
  check(ip: string): Promise<{ limited: false } | { limited: true; retryAfterS: number }>;
  /** Counts a submission that was accepted (stored, or a bot's silently dropped one). */
  accepted(ip: string): Promise<void>;
}

interface Counter {
  get(key: string): Promise<{ n: number; ttlMs: number }>;
  incr(key: string): Promise<void>;
}

const units: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/** "10 minutes", "1 hour", "90s" or a number of milliseconds, as INTAKE_RATE_WINDOW says it. */
export function parseWindow(text: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const word = m?.[2]?.toLowerCase() ?? '';
  const unit = !m ? undefined : word ? (units[word] ?? units[word.replace(/s$/, '')]) : 1;
  if (!m || unit === undefined || Number(m[1]) <= 0)
    throw new Error(`INTAKE_RATE_WINDOW: cannot read "${text}" (try "10 minutes")`);
  return Number(m[1]) * unit;
}

function memoryCounter(clock: Clock, windowMs: number): Counter {
  const rows = new Map<string, { n: number; resetAt: number }>();
  const live = (key: string) => {
    const now = clock.now().getTime();
    const row = rows.get(key);
    if (row && row.resetAt > now) return row;
    rows.delete(key);
    // Dropped windows go when the map is touched; the map holds at most the active sources.
    if (rows.size > 10_000) for (const [k, r] of rows) if (r.resetAt <= now) rows.delete(k);
    return undefined;
  };
  return {
    get(key) {
      const row = live(key);
      const now = clock.now().getTime();
      return Promise.resolve(row ? { n: row.n, ttlMs: row.resetAt - now } : { n: 0, ttlMs: 0 });
    },
    incr(key) {
      const row = live(key);
      if (row) row.n++;
      else rows.set(key, { n: 1, resetAt: clock.now().getTime() + windowMs });
      return Promise.resolve();
    },
  };
}

function redisCounter(redis: Redis, windowMs: number): Counter {
  return {
    async get(key) {
      const [n, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
      return { n: Number(n ?? 0), ttlMs: Math.max(ttl, 0) };
    },
    async incr(key) {
      const n = await redis.incr(key);
      if (n === 1) await redis.pexpire(key, windowMs);
    },
  };
}

export function createIntakeLimits(opts: {
  secret: string;
  clock: Clock;
  max: number;
  window: string;
  redis?: Redis | undefined;
}): IntakeLimits {
  const windowMs = parseWindow(opts.window);
  const counter = opts.redis
    ? redisCounter(opts.redis, windowMs)
    : memoryCounter(opts.clock, windowMs);
  // Ten tries per accepted submission: far more than anyone fixing a form needs.
  const maxPosts = opts.max * 10;
  const key = (kind: string, ip: string) =>
    `starspmb:intake:${kind}:${keyedFingerprint(opts.secret, 'intake-rate', networkOf(ip)).slice(0, 32)}`;
  return {
    async check(ip) {
      await counter.incr(key('post', ip));
      const [posts, accepted] = await Promise.all([
        counter.get(key('post', ip)),
        counter.get(key('accepted', ip)),
      ]);
      if (accepted.n >= opts.max)
        return { limited: true, retryAfterS: Math.ceil(accepted.ttlMs / 1000) || 60 };
      if (posts.n > maxPosts)
        return { limited: true, retryAfterS: Math.ceil(posts.ttlMs / 1000) || 60 };
      return { limited: false };
    },
    accepted: (ip) => counter.incr(key('accepted', ip)),
  };
}
