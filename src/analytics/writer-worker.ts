// The analytics writer's thread (writer-thread.ts starts it): batches in, one reply per batch.
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../db/database.js';
import { createWriter, MAX_BATCH, type Hit, type Refused } from './writer.js';

/** `hits` as JSON: cloning a string costs the main thread a copy; cloning objects, a walk. */
export type WriterRequest = { id: number; hits: string } | 'close';
/** Only the message and code cross: the code tells the route a busy database from a fault. */
export type WireError = { message: string; code?: string };
/** `error`: the whole batch failed; `refused`: these hits (by index) alone, the rest committed. */
export type WriterReply = { id: number; error?: WireError; refused?: [number, WireError][] };

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
    const outcome = await writer.write(batches.flatMap((b) => b.hits)).then(
      (refused) => ({ refused }),
      (err: unknown) => ({ error: wire(err) }),
    );
    let from = 0;
    for (const b of batches) {
      port.postMessage({ id: b.id, ...replyFor(outcome, from, b.hits.length) });
      from += b.hits.length;
    }
    // Let the batches that arrived during the commit in, so they share the next one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  writing = false;
  if (closing) close();
}

const wire = (err: unknown): WireError => {
  const e = err as { message?: unknown; code?: unknown } | null;
  return {
    message: String(e?.message),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
};

/** One sender's share of a merged write: its own refused hits, numbered within its batch. */
function replyFor(
  outcome: { error: WireError } | { refused: Refused },
  from: number,
  n: number,
): Omit<WriterReply, 'id'> {
  if ('error' in outcome) return { error: outcome.error };
  const refused: [number, WireError][] = [];
  for (const [i, err] of outcome.refused)
    if (i >= from && i < from + n) refused.push([i - from, wire(err)]);
  return refused.length > 0 ? { refused } : {};
}

function close(): void {
  void db.destroy().finally(() => port.close());
}
