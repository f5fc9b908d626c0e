import SQLite from 'better-sqlite3';
import fs from 'node:fs';
import { touchOwnerFile } from '../config/data-dir.js';
import type { Progress } from './manifest.js';

// SQLite through its online backup API: pages are copied from a connection of our own while the
// site keeps writing. A write from another connection restarts the copy; after one restart the
// rest is copied in a single step, which holds a read snapshot (WAL: writers go on) till done.

const STEP_PAGES = 256;
const ALL = 0x7fffffff;

/** Copies the live database at `source` into the new file `dest`, consistently. */
export async function snapshotSqlite(
  source: string,
  dest: string,
  onProgress?: Progress,
  stepPages = STEP_PAGES,
): Promise<void> {
  if (!fs.existsSync(source)) throw new Error(`no SQLite database at ${source}`);
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  touchOwnerFile(dest);
  let lastRemaining = Infinity;
  let restarted = false;
  try {
    await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages > lastRemaining) restarted = true;
        lastRemaining = remainingPages;
        onProgress?.(totalPages - remainingPages, totalPages);
        return restarted ? ALL : stepPages;
      },
    });
  } finally {
    db.close();
  }
}

/** Rows per table of a database file (tables only; SQLite's own left out). */
export function sqliteTableCounts(file: string): Record<string, number> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const names = db
      .prepare(
        "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      names.map((n) => [
        n,
        db
          .prepare(`select count(*) from "${n.replace(/"/g, '""')}"`)
          .pluck()
          .get() as number,
      ]),
    );
  } finally {
    db.close();
  }
}

/** The migrations a database file has applied, oldest first. */
export function sqliteMigrations(file: string): string[] {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const has = db
      .prepare("select 1 from sqlite_schema where type = 'table' and name = 'kysely_migration'")
      .get();
    if (!has) return [];
    return db.prepare('select name from kysely_migration order by name').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** PRAGMA integrity_check of a file: 'ok', or SQLite's first problems. */
export function sqliteIntegrity(file: string): string {
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return (err as Error).message;
  }
  try {
    const rows = db.prepare('pragma integrity_check(5)').pluck().all() as string[];
    return rows.join('; ');
  } catch (err) {
    return (err as Error).message;
  } finally {
    db.close();
  }
}

/** Tables in the database at `file` (none when there is no file). */
export function sqliteContents(file: string): Record<string, number> {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return {};
  return sqliteTableCounts(file);
}

/**
 * Replaces the database at `target` with the copy at `source`, through the backup API again:
 * SQLite writes the pages under its own locks, so the file, its log and other connections stay
 * coherent. The target is made owner-only first.
 */
export async function restoreSqlite(
  source: string,
  target: string,
  onProgress?: Progress,
): Promise<void> {
  touchOwnerFile(target);
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        return STEP_PAGES;
      },
    });
  } finally {
    db.close();
  }
}
