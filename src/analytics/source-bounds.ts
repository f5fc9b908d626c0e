import { randomBytes } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';

export interface SourceLimits {
  /** Events one source may send in a minute. */
  eventsPerMinute: number;
  /** Visitor ids one source may present for the first time in a minute. */
  newVisitorsPerMinute: number;
}

/** Sources tracked per minute at most: beyond it new ones pass uncounted, so memory stays bounded. */
const MAX_SOURCES = 100_000;

interface Counts {
  events: number;
  visitors: Set<string> | undefined;
}

/**
 * 53 bits of two seeded FNV-1a hashes: cheap on the collector's hot path (a SHA-256 cost more than
 * the rest of the bound), and with seeds made at start, no one can map a count back to an address
 * without this process's memory. Two sources that collide merely share a count.
 */
function sourceId(ip: string, seedA: number, seedB: number): number {
  let a = 0x811c9dc5 ^ seedA;
  let b = 0x811c9dc5 ^ seedB;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * Per-source bounds on the collector, in fixed one-minute windows of the injected clock, so one
 * client cannot flood the tables or invent visitors by the hundred. A source is the client
 * address (X-Forwarded-For only behind a trusted proxy), held only as a seeded hash, never
 * stored; all counts are dropped when the minute turns. In process, like the
 * collector's open visits: POST /api/event is routed to one instance (decision 012).
 */
export function createSourceBounds(clock: Clock, limits: SourceLimits) {
  const [seedA, seedB] = [randomBytes(4).readUInt32LE(), randomBytes(4).readUInt32LE()];
  let minute = -1;
  let sources = new Map<number, Counts>();

  function countsOf(ip: string, now: number): Counts | undefined {
    const m = Math.floor(now / 60_000);
    if (m !== minute) {
      minute = m;
      sources = new Map();
    }
    const id = sourceId(ip, seedA, seedB);
    let counts = sources.get(id);
    if (!counts && sources.size < MAX_SOURCES) {
      counts = { events: 0, visitors: undefined };
      sources.set(id, counts);
    }
    return counts;
  }
  /** Seconds until the minute turns, at least 1: the Retry-After of a refusal. */
  const wait = (now: number) => Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));

  return {
    /** Counts one event from this address: 0 when it may pass, else the seconds to wait. */
    event(ip: string): number {
      const now = clock.now().getTime();
      const counts = countsOf(ip, now);
      if (!counts) return 0;
      if (counts.events >= limits.eventsPerMinute) return wait(now);
      counts.events++;
      return 0;
    },
    /** Counts a visitor id this address presents: 0 when it may pass, else the seconds to wait. */
    visitor(ip: string, visitor: string): number {
      const now = clock.now().getTime();
      const counts = countsOf(ip, now);
      if (!counts) return 0;
      counts.visitors ??= new Set();
      if (counts.visitors.has(visitor)) return 0;
      if (counts.visitors.size >= limits.newVisitorsPerMinute) return wait(now);
      counts.visitors.add(visitor);
      return 0;
    },
  };
}
export type SourceBounds = ReturnType<typeof createSourceBounds>;
