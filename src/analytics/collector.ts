import { MAX_BATCH, type BatchWriter, type Hit } from './writer.js';

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
 * transaction holding its hit has committed, so an answered 202 is on disk. A batch is the hits
 * that arrived in one turn of the event loop, or, while a write is in flight, everything that
 * arrived meanwhile: batches grow with load instead of waiting for a timer (a client waiting for
 * its 202 sends nothing else meanwhile), and are written one at a time, in order. A writer that
 * gathers batches itself (the writer thread, which merges those queued while it commits) is
 * handed each turn's hits at once, so it never sits idle waiting for this thread to hear back.
 */
export function createCollector(writer: BatchWriter, opts: CollectorOptions = {}) {
  const maxBatch = opts.maxBatch ?? MAX_BATCH;
  const mostInFlight = writer.gathers ? Infinity : 1;
  let queue: Waiting[] = [];
  let scheduled = false;
  let inFlight = 0;
  const drained: (() => void)[] = [];

  function send(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < mostInFlight) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      inFlight++;
      writer
        .write(batch.map((b) => b.hit))
        .then(
          // A hit the database refused fails alone; the rest of its batch is stored.
          (refused) =>
            batch.forEach((b, i) =>
              b.done(refused.has(i) ? (refused.get(i) ?? new Error('refused')) : undefined),
            ),
          (err: unknown) => batch.forEach((b) => b.done(err)),
        )
        .finally(() => {
          inFlight--;
          // What gathered during the write goes now, not after another turn.
          send();
          if (inFlight === 0) for (const resolve of drained.splice(0)) resolve();
        });
    }
  }

  function schedule(): void {
    // A write in flight takes the queue up when it ends; otherwise after this I/O turn.
    if (scheduled || inFlight >= mostInFlight) return;
    scheduled = true;
    setImmediate(send);
  }

  /** Writes whatever waits; used on shutdown. */
  async function drain(): Promise<void> {
    send();
    if (inFlight > 0) await new Promise<void>((resolve) => drained.push(resolve));
  }

  return {
    /**
     * Resolves once the hit is committed; rejects if its batch failed (nothing of it stored), or
     * if the database refused this hit alone.
     */
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
