import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

// SQLite copies the write-ahead log back into the database in a "checkpoint", and by default the
// connection whose commit fills the log does it, fsyncs included. better-sqlite3 is synchronous,
// so that commit held the event loop (and every request behind it) for the duration of the disk
// flush. Here a worker thread with its own connection checkpoints instead, as SQLite's WAL notes
// suggest. Commits are exactly as durable as before: a checkpoint only moves committed pages.

/** Frames after which the main connection still checkpoints itself if the worker falls behind. */
export const BACKSTOP_PAGES = 10_000;
const DEFAULT_PAGES = 1000;

// Plain CommonJS run with `eval`, so it needs no build step or loader in dev, tests or dist.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('checkpointed');
  } catch (err) {
    parentPort.postMessage({ failed: String(err && err.message) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'now') run();
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
  /** Asks for a checkpoint now (tests); resolves when the worker has run one. */
  checkpointNow(): Promise<void>;
}

/** Moves checkpoints of `database` (a WAL-mode file) to a worker thread until stopped. */
export function startCheckpointer(
  database: SQLite.Database,
  file: string,
  opts: { intervalMs?: number; warn?: (message: string) => void } = {},
): Checkpointer {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { driver, file, intervalMs: opts.intervalMs ?? 200 },
  });
  worker.unref();
  database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  let stopping = false;
  let fellBack = false;
  const waiting: (() => void)[] = [];
  // Without the worker, the connection goes back to checkpointing after its own commits.
  const fallBack = (why: string) => {
    if (stopping || fellBack || !database.open) return;
    fellBack = true;
    database.pragma(`wal_autocheckpoint = ${DEFAULT_PAGES}`);
    warn(`database: background checkpoints stopped (${why}); the server checkpoints in line again`);
  };
  worker.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && 'failed' in m) {
      warn(`database: a background checkpoint failed: ${String((m as { failed: string }).failed)}`);
    }
    waiting.splice(0).forEach((resolve) => resolve());
  });
  worker.on('error', (err) => fallBack(err.message));
  let exited = false;
  worker.on('exit', (code) => {
    exited = true;
    fallBack(`worker exited with ${code}`);
  });
  let stopped: Promise<void> | undefined;
  const stopWorker = async () => {
    stopping = true;
    // Asked, not terminated: terminating a thread inside a SQLite call (say, opening its
    // connection while the test database is busy) aborts the whole process in better-sqlite3.
    if (exited) return;
    const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const late = setTimeout(() => void worker.terminate(), 10_000);
    await gone;
    clearTimeout(late);
  };
  return {
    stop() {
      stopped ??= stopWorker();
      return stopped;
    },
    checkpointNow() {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        worker.postMessage('now');
      });
    },
  };
}
