import type { Db } from '../db/database.js';
import { writeBatch, type Hit } from './writer.js';

export interface CollectorOptions {
  /** Flush after this many milliseconds… */
  maxDelayMs?: number;
  /** …or as soon as this many hits wait, whichever comes first. */
  maxBatch?: number;
}

/**
 * Group commit: hits wait a few milliseconds to share one transaction, and each caller's promise
 * settles only when the transaction holding its hit has committed, so an answered 202 is on
 * disk. Batches are written one at a time, in order.
 */
export function createCollector(db: Db, opts: CollectorOptions = {}) {
  const maxDelayMs = opts.maxDelayMs ?? 5;
  const maxBatch = opts.maxBatch ?? 300;
  const dict = new Map<string, number>();
  let queue: { hit: Hit; done: (err?: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return writing;
    writing = writing.then(async () => {
      try {
        await writeBatch(
          db,
          dict,
          batch.map((b) => b.hit),
        );
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    });
    return writing;
  };

  return {
    /** Resolves once the hit is committed; rejects if its batch failed (nothing of it stored). */
    add(hit: Hit): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({
          hit,
          done: (err) =>
            err ? reject(err instanceof Error ? err : new Error('analytics batch failed')) : resolve(),
        });
        if (queue.length >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), maxDelayMs);
      });
    },
    /** Writes whatever waits; used on shutdown. */
    async drain(): Promise<void> {
      await flush();
    },
  };
}
export type Collector = ReturnType<typeof createCollector>;
