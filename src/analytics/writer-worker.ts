// The analytics writer's thread (writer-thread.ts starts it): batches in, one reply per batch.
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../db/database.js';
import { createWriter, MAX_BATCH, type Hit } from './writer.js';

/** `hits` as JSON: cloning a string costs the main thread a copy; cloning objects, a walk. */
export type WriterRequest = { id: number; hits: string } | 'close';
export type WriterReply = { id: number; error?: { message: string; code?: string } };

const port = parentPort!;
const { url } = workerData as { url: string };
// Its own connection. On SQLite the main thread's checkpointer already serves the file, and a
// lock held elsewhere is waited out by the writer's retries (four tries of a second, then 503)
// rather than one long wait; the writer runs one transaction at a time, so PostgreSQL needs one
// connection.
const db = createDb(url, { checkpointer: false, busyTimeoutMs: 1000, maxConnections: 1 });
const writer = createWriter(db);

const queued: { id: number; hits: Hit[] }[] = [];
let writing = false;
let closing = false;

port.on('message', (m: WriterRequest) => {
  if (m === 'close') {
    closing = true;
    if (!writing) close();
    return;
  }
  queued.push({ id: m.id, hits: JSON.parse(m.hits) as Hit[] });
  if (writing) return;
  writing = true;
  // After this turn: the other batches already waiting on the port join this one.
  setImmediate(() => void writeQueued());
});

/** Group commit on this side too: whatever queued during the last commit goes in the next one. */
async function writeQueued(): Promise<void> {
  while (queued.length > 0) {
    let n = 0;
    let take = 0;
    while (take < queued.length && (take === 0 || n + queued[take]!.hits.length <= MAX_BATCH))
      n += queued[take++]!.hits.length;
    const batches = queued.splice(0, take);
    const reply = await writer.write(batches.flatMap((b) => b.hits)).then(
      () => ({}),
      // Only the message and code cross: the code tells the route a busy database from a fault.
      (err: Error & { code?: unknown }) => ({
        error: {
          message: String(err?.message),
          ...(typeof err?.code === 'string' ? { code: err.code } : {}),
        },
      }),
    );
    for (const b of batches) port.postMessage({ id: b.id, ...reply } satisfies WriterReply);
    // Let the batches that arrived during the commit in, so they share the next one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  writing = false;
  if (closing) close();
}

function close(): void {
  void db.destroy().finally(() => port.close());
}
