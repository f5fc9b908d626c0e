import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { makeOwnerDir, OWNER_FILE } from '../config/data-dir.js';
import { createDb, dbKind, sqlitePath, type DbKind } from '../db/database.js';
import { knownMigrations, migrateToLatest } from '../db/migrate.js';
import type { Keyring } from '../privacy/keyring.js';
import {
  BackupFileError,
  createBackupWriter,
  keyFor,
  readHeader,
  readRecords,
  type BackupHeader,
} from './format.js';
import { parseManifest, type Manifest } from './manifest.js';
import {
  checkPostgresDump,
  clearPostgres,
  dumpPostgres,
  postgresContents,
  restorePostgres,
} from './postgres.js';
import {
  restoreSqlite,
  snapshotSqlite,
  sqliteContents,
  sqliteIntegrity,
  sqliteMigrations,
  sqliteTableCounts,
} from './sqlite.js';

export interface BackupContext {
  databaseUrl: string;
  /** DATA_DIR: decrypted copies are staged here (owner-only), beside the live database. */
  dataDir: string;
  keys: Keyring;
  /** Told how far each step has come (the CLI draws a bar). */
  onProgress?: (step: string, done: number, total: number) => void;
  /** SQLite pages copied per step (tests make it small so writes land between steps). */
  sqliteStepPages?: number;
}

/** The target database holds something and `--force` was not given. */
export class NotEmptyError extends Error {}

const engineName = (e: DbKind) => (e === 'sqlite' ? 'SQLite' : 'PostgreSQL');

async function withTempDir<T>(dataDir: string, fn: (dir: string) => Promise<T>): Promise<T> {
  makeOwnerDir(dataDir);
  const dir = fs.mkdtempSync(path.join(dataDir, '.backup-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Takes a consistent backup of the live database into `file`, encrypted with the current key. */
export async function takeBackup(ctx: BackupContext, file: string, at: Date) {
  const engine = dbKind(ctx.databaseUrl);
  const writer = await createBackupWriter(file, { engine, key: ctx.keys.current, createdAt: at });
  const base = { engine, createdAt: writer.header.createdAt };
  try {
    const manifest = await withTempDir(ctx.dataDir, async (tmp): Promise<Manifest> => {
      if (engine === 'postgres') {
        let m: Manifest | undefined;
        await dumpPostgres(
          ctx.databaseUrl,
          async (described) => {
            m = { ...base, ...described, payload: 'pg_dump-custom' };
            await writer.manifest(m);
          },
          (chunk) => writer.write(chunk),
          (d, t) => ctx.onProgress?.('dumping tables', d, t),
        );
        return m!;
      }
      const copy = path.join(tmp, 'copy.db');
      await snapshotSqlite(
        sqlitePath(ctx.databaseUrl),
        copy,
        (d, t) => ctx.onProgress?.('copying pages', d, t),
        ctx.sqliteStepPages,
      );
      const m: Manifest = {
        ...base,
        migrations: sqliteMigrations(copy),
        tables: sqliteTableCounts(copy),
        payload: 'sqlite+gzip',
      };
      await writer.manifest(m);
      const total = fs.statSync(copy).size;
      await pipeline(
        fs.createReadStream(copy),
        counted(total, ctx, 'encrypting'),
        createGzip(),
        async (src) => {
          for await (const chunk of src as AsyncIterable<Buffer>) await writer.write(chunk);
        },
      );
      return m;
    });
    await writer.finish();
    return { file, bytes: writer.bytesWritten, manifest };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Passes bytes through, telling progress how many went by. */
function counted(total: number, ctx: BackupContext, step: string) {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      ctx.onProgress?.(step, done, total);
      cb(null, chunk);
    },
  });
}

/**
 * Decrypts and authenticates the whole backup into `out` before anything acts on it, and
 * returns its manifest. Throws BackupFileError for anything altered, cut short or unreadable.
 */
async function decryptTo(ctx: BackupContext, file: string, out: string): Promise<Manifest> {
  const records = readRecords(file, ctx.keys, (d, t) => ctx.onProgress?.('decrypting', d, t));
  const first = await records.next();
  const manifest = parseManifest(first.done ? undefined : first.value);
  const sink = fs.createWriteStream(out, { mode: OWNER_FILE, flags: 'wx' });
  try {
    if (manifest.payload === 'sqlite+gzip')
      await pipeline(Readable.from(records), createGunzip(), sink);
    else await pipeline(Readable.from(records), sink);
  } catch (err) {
    if (err instanceof BackupFileError) throw err;
    throw new BackupFileError(
      `${file}: the database inside could not be unpacked (${(err as Error).message})`,
    );
  }
  return manifest;
}

function checkEngine(header: BackupHeader, engine: DbKind) {
  if (header.engine !== engine)
    throw new BackupFileError(
      `this is a backup of a ${engineName(header.engine)} database, and DATABASE_URL points to ${engineName(engine)}. ` +
        `Restore it with DATABASE_URL set to an empty ${engineName(header.engine)} database: a backup does not move data between engines`,
    );
}

function checkMigrations(manifest: Manifest) {
  const known = new Set(knownMigrations());
  const later = manifest.migrations.filter((m) => !known.has(m));
  if (later.length)
    throw new BackupFileError(
      `this backup comes from a newer version of starspmb (its database ran migration(s) ${later.join(', ')}, ` +
        'which this version does not know): restore it with that version or a later one',
    );
}

/** What a non-empty target holds, in words. */
export function describeContents(where: string, tables: Record<string, number>): string {
  const names = Object.keys(tables);
  const full = Object.entries(tables)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const shown = full.slice(0, 8).map(([t, n]) => `${n} in ${t}`);
  const rows = full.length
    ? `rows: ${shown.join(', ')}${full.length > 8 ? `, and ${full.length - 8} more table(s) with rows` : ''}`
    : 'all of them empty (a migrated, unused database)';
  return (
    `The database at ${where} is not empty: it has ${names.length} table(s), ${rows}. ` +
    'Restore into an empty database (a new DATABASE_URL, or for SQLite a new DATA_DIR), or pass --force to replace everything in it'
  );
}

const shownUrl = (url: string) =>
  dbKind(url) === 'sqlite'
    ? sqlitePath(url)
    : ((u) => ((u.password = ''), u.toString()))(new URL(url));

/** Rows per table of the database at `url`; no tables at all is an empty database. */
export const databaseContents = async (url: string): Promise<Record<string, number>> =>
  dbKind(url) === 'sqlite' ? sqliteContents(sqlitePath(url)) : postgresContents(url);

/**
 * Restores a backup into the configured database, which must be empty unless `force`. The file
 * is authenticated completely first; PostgreSQL restores in one transaction and SQLite through
 * its backup API, so a failure leaves the target as it was. Migrations run afterwards.
 */
export async function restoreBackup(ctx: BackupContext, file: string, opts: { force: boolean }) {
  const { header } = await readHeader(file);
  keyFor(ctx.keys, header);
  const engine = dbKind(ctx.databaseUrl);
  checkEngine(header, engine);
  const target = engine === 'sqlite' ? sqlitePath(ctx.databaseUrl) : ctx.databaseUrl;
  const contents = await databaseContents(ctx.databaseUrl);
  const occupied = Object.keys(contents).length > 0;
  if (occupied && !opts.force)
    throw new NotEmptyError(describeContents(shownUrl(ctx.databaseUrl), contents));
  const manifest = await withTempDir(ctx.dataDir, async (tmp) => {
    const payload = path.join(tmp, 'payload');
    const m = await decryptTo(ctx, file, payload);
    checkMigrations(m);
    const progress = (d: number, t: number) => ctx.onProgress?.('restoring', d, t);
    if (engine === 'sqlite') {
      const integrity = sqliteIntegrity(payload);
      if (integrity !== 'ok')
        throw new BackupFileError(
          `the database inside ${file} fails SQLite's integrity check: ${integrity}`,
        );
      await restoreSqlite(payload, target, progress);
    } else {
      if (occupied) await clearPostgres(ctx.databaseUrl);
      await restorePostgres(ctx.databaseUrl, payload, Object.keys(m.tables).length, progress);
    }
    return m;
  });
  const db = createDb(ctx.databaseUrl, { checkpointer: false });
  try {
    return { manifest, replaced: occupied, migrated: await migrateToLatest(db) };
  } finally {
    await db.destroy();
  }
}

export interface VerifyReport {
  header: BackupHeader;
  manifest: Manifest;
  fileBytes: number;
  /** Size of the database (SQLite file) or dump (pg_dump archive) inside. */
  payloadBytes: number;
  /** What the engine's own check said. */
  check: string;
}

/** Authenticates a backup completely and checks that what it holds is a valid database. */
export async function verifyBackup(ctx: BackupContext, file: string): Promise<VerifyReport> {
  const { header } = await readHeader(file);
  const fileBytes = fs.statSync(file).size;
  return withTempDir(ctx.dataDir, async (tmp) => {
    const payload = path.join(tmp, 'payload');
    const manifest = await decryptTo(ctx, file, payload);
    if (manifest.engine !== header.engine)
      throw new BackupFileError(`${file}: its header and manifest name different engines`);
    const payloadBytes = fs.statSync(payload).size;
    if (header.engine === 'postgres') {
      const r = await checkPostgresDump(payload).catch((err: Error) => {
        throw new BackupFileError(
          `the dump inside ${file} is not a valid pg_dump archive: ${err.message}`,
        );
      });
      const check = `pg_restore --list: ${r.entries} entries, ${r.tableData} with table data; every data block read`;
      return { header, manifest, fileBytes, payloadBytes, check };
    }
    const integrity = sqliteIntegrity(payload);
    if (integrity !== 'ok')
      throw new BackupFileError(
        `the database inside ${file} fails SQLite's integrity check: ${integrity}`,
      );
    const counts = sqliteTableCounts(payload);
    if (JSON.stringify(counts) !== JSON.stringify(manifest.tables))
      throw new BackupFileError(
        `the database inside ${file} does not hold the rows its manifest lists`,
      );
    return {
      header,
      manifest,
      fileBytes,
      payloadBytes,
      check: 'PRAGMA integrity_check: ok; row counts match the manifest',
    };
  });
}
