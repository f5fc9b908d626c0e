import type { BatchWriter, Hit } from './writer.js';

export interface CollectorOptions {
  /** At most this many hits share one transaction. */
  maxBatch?: number;
}

interface Waiting {
  hit: Hit;
  done: (err?: unknown) => void;
}

/**
 * Group commit: hits share one transaction, and each caller's promise settles only when the
 * transaction holding its hit has committed, so an answered 202 is on disk. While the writer is
 * idle, a batch is the hits that arrived in one turn of the event loop; while it writes, the next
 * batch gathers and goes as soon as the write ends. Batches therefore grow with load instead of
 * waiting for a timer (a client waiting for its 202 sends nothing else meanwhile), and are
 * written one at a time, in order.
 */
export function createCollector(writer: BatchWriter, opts: CollectorOptions = {}) {
  const maxBatch = opts.maxBatch ?? 1000;
  let queue: Waiting[] = [];
  let scheduled = false;
  let writing: Promise<void> | null = null;

  async function writeAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      try {
        await writer.write(batch.map((b) => b.hit));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
  }

  function flush(): Promise<void> {
    scheduled = false;
    writing ??= writeAll().finally(() => {
      writing = null;
      // A hit added between the loop's last check and here would otherwise wait for the next.
      if (queue.length > 0) schedule();
    });
    return writing;
  }

  /** Writes whatever waits; used on shutdown. */
  async function drain(): Promise<void> {
    while (writing || queue.length > 0) await flush();
  }

  function schedule(): void {
    // A running write takes the queue up when it ends; otherwise after this I/O turn.
    if (writing || scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return {
    /** Resolves once the hit is committed; rejects if its batch failed (nothing of it stored). */
    add(hit: Hit): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({
          hit,
          done: (err) =>
            err
              ? reject(err instanceof Error ? err : new Error('analytics batch failed'))
              : resolve(),
        });
        schedule();
      });
    },
    drain,
    /** The server's first beacon should not wait for the writer to start. */
    start: () => writer.start?.(),
    /** Drains, then lets the writer go (its thread and connection). */
    async close(): Promise<void> {
      await drain();
      await writer.close?.();
    },
  };
}
export type Collector = ReturnType<typeof createCollector>;
