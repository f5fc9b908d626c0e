// The analytics writer's thread (writer-thread.ts starts it): batches in, one reply per batch.
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../db/database.js';
import { createWriter, type Hit } from './writer.js';

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

port.on('message', (m: WriterRequest) => {
  if (m === 'close') {
    void db.destroy().finally(() => port.close());
    return;
  }
  writer.write(JSON.parse(m.hits) as Hit[]).then(
    () => port.postMessage({ id: m.id } satisfies WriterReply),
    // Only the message and code cross: the code tells the route a busy database from a fault.
    (err: Error & { code?: unknown }) =>
      port.postMessage({
        id: m.id,
        error: {
          message: String(err?.message),
          ...(typeof err?.code === 'string' ? { code: err.code } : {}),
        },
      } satisfies WriterReply),
  );
});
