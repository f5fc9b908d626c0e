import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type Driver,
} from 'kysely';
import pg from 'pg';
import { touchOwnerFile } from '../config/data-dir.js';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

export function dbKind(url: string): DbKind {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

export function sqlitePath(url: string): string {
  return url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
}

export interface DbOptions {
  /** PostgreSQL pool size. */
  maxConnections?: number;
  /**
   * SQLite: checkpoint the log from a worker thread (the default). A second connection to a file
   * the process already serves passes false: one checkpointer per file is enough.
   */
  checkpointer?: boolean;
  /** SQLite: how long a statement waits for another connection's write lock. */
  busyTimeoutMs?: number;
}

// DATABASE_URL picks the engine: sqlite:<file> (the embedded default) or postgres://…
export function createDb(url: string, opts: DbOptions = {}): Db {
  if (dbKind(url) === 'sqlite') {
    const file = sqlitePath(url);
    // Made owner-only before SQLite opens it: its -wal and -shm files take the file's mode.
    if (file !== ':memory:') touchOwnerFile(file);
    const database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    // A second connection leaves checkpoints to the first one's worker too, past the same
    // backstop: its own commits would otherwise checkpoint, fsync included, every 1,000 pages.
    if (opts.checkpointer === false) database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    const checkpoints =
      file === ':memory:' || opts.checkpointer === false
        ? undefined
        : startCheckpointer(database, file);
    const db = new Kysely<Database>({
      dialect: new WriteLockFirstDialect({ database: withStatementCache(database, checkpoints) }),
    });
    if (!checkpoints) return db;
    // destroy() resolves once the checkpoint worker has closed its connection too, so a caller
    // may remove the file then (tests do) without that connection opening it again.
    const destroy = db.destroy.bind(db);
    db.destroy = async () => {
      await destroy();
      await checkpoints.stop();
    };
    return db;
  }
  const pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10 });
  // An idle connection the server drops (restart, failover, admin termination) emits 'error' on
  // the pool; unheard, that event crashes the process. The pool discards the client and opens a
  // new one on next use, so noting it is enough. Server messages here name no personal data.
  pool.on('error', (err: Error & { code?: string }) => {
    console.warn(
      `database: an idle connection was closed (${err.code ?? 'no code'}): ${err.message}`,
    );
  });
  // A connection cut while a request holds it (the pool's idle listener is off then) also emits
  // 'error': its query fails with that error and the request answers 503 (src/web/errors.ts),
  // and the pool drops the broken client on release. Unheard, the event would end the process.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Which engine a connection (or a transaction) runs on. */
export function isSqlite<T>(db: Kysely<T>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * Transactions that take SQLite's write lock when they begin (BEGIN IMMEDIATE). The analytics
 * writer thread commits on a connection of its own, and a transaction begun plainly that has
 * read before that commit cannot write after it: it fails at once with SQLITE_BUSY_SNAPSHOT,
 * whatever the busy timeout. Taking the lock first, it waits its turn under the busy timeout
 * instead. The writer's batches hold the lock for a millisecond or two.
 */
class WriteLockFirstDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * Kysely prepares every query afresh; better-sqlite3 statements can be reused, and preparing was
 * a tenth of an intake submission's time. Queries are built from a small set of shapes, so the
 * cache stays small; the bound only guards against unusual dynamic SQL.
 */
function withStatementCache(
  database: SQLite.Database,
  checkpoints?: Checkpointer,
  max = 500,
): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(database, {
    get(target, prop, receiver) {
      // Kysely closes the connection on destroy(); the checkpoint worker goes with it.
      if (prop === 'close') {
        return () => {
          void checkpoints?.stop();
          return target.close();
        };
      }
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver) as unknown;
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          if (cache.size >= max) cache.clear();
          stmt = target.prepare(sql);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}
