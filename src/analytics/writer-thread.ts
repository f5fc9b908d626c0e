import { Worker } from 'node:worker_threads';
import { isSqlite, type Db } from '../db/database.js';
import type { BatchWriter, Hit, Refused } from './writer.js';
import type { WireError, WriterReply, WriterRequest } from './writer-worker.js';

const errorOf = (e: WireError) => Object.assign(new Error(e.message), { code: e.code });

// A worker runs its entry as a module: the compiled JS under dist/; from source (tests,
// benchmarks, `tsx`), the TypeScript through tsx's loader, a dev dependency that is there then.
const boot = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();
`;

/** Writer threads running in this process. */
let running = 0;

/**
 * A pause between the transactions of a long job (the compactor catching up on many days) while
 * a writer thread runs. SQLite has one write lock, and the thread's connection, waiting for it,
 * polls every 25–100 ms: without a pause the job's next transaction takes the lock first, and
 * beacons wait for the whole run. PostgreSQL locks rows, so it needs none.
 */
export async function giveWayToWriter(db: Db): Promise<void> {
  if (running > 0 && isSqlite(db)) await new Promise((resolve) => setTimeout(resolve, 120));
}

function entry(): { entry: string; tsx?: string } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { entry: new URL('./writer-worker.js', here).href };
  return {
    entry: new URL('./writer-worker.ts', here).href,
    tsx: import.meta.resolve('tsx/esm/api'),
  };
}

/**
 * The analytics writer on a worker thread with its own database connection (decision 012):
 * writing a batch then takes the other core while this thread parses and enriches the next. The
 * thread starts with the server (or the first batch) and again after a crash; a batch in flight
 * when it died is refused (it may or may not have committed, as with a crash of the process).
 */
export function startWriterThread(url: string): BatchWriter {
  let worker: Worker | null = null;
  let next = 0;
  const pending = new Map<number, { resolve: (r: Refused) => void; reject: (e: Error) => void }>();

  function spawn(): Worker {
    const w = new Worker(boot, { eval: true, workerData: { ...entry(), url } });
    running++;
    w.on('message', (m: WriterReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      // Idle, the thread must not keep the process alive.
      if (pending.size === 0) w.unref();
      if (m.error) p.reject(errorOf(m.error));
      else p.resolve(new Map((m.refused ?? []).map(([i, e]) => [i, errorOf(e)])));
    });
    const gone = (why: string) => {
      if (worker !== w) return;
      worker = null;
      for (const p of pending.values()) p.reject(new Error(`analytics writer stopped: ${why}`));
      pending.clear();
    };
    w.on('error', (err) => gone(err.message));
    w.on('exit', (code) => {
      running--;
      gone(`exited with ${code}`);
    });
    return w;
  }

  const send = (w: Worker, m: WriterRequest) => w.postMessage(m);

  return {
    gathers: true,
    start(): void {
      worker ??= spawn();
      worker.unref();
    },
    write(hits: readonly Hit[]): Promise<Refused> {
      if (hits.length === 0) return Promise.resolve(new Map());
      worker ??= spawn();
      worker.ref();
      const id = next++;
      const w = worker;
      return new Promise<Refused>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send(w, { id, hits: JSON.stringify(hits) });
      });
    },
    /** Closes the thread's connection; call once nothing is being written. */
    async close(): Promise<void> {
      const w = worker;
      if (!w) return;
      worker = null;
      const exited = new Promise((r) => w.once('exit', r));
      send(w, 'close');
      await exited;
    },
  };
}
