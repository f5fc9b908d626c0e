import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../config/env.js';
import { TEST_DATA_KEY } from '../test-support/app.js';

// Test helpers for backups (test files only).

/** An empty database of the run's engine to restore into: a new SQLite path or PG database. */
export async function emptyTarget(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-restore-'));
    return {
      url: `sqlite:${path.join(dir, 'restored.db')}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `starspmb_r_${randomBytes(6).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(q).finally(() => c.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The CLI's configuration for a database, with the test data key. */
export function cliConfig(databaseUrl: string, dataDir: string): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    STARSPMB_DATA_KEY: TEST_DATA_KEY.toString('base64url'),
  });
}

/** CLI output captured. */
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { print: (l: string) => out.push(l), error: (l: string) => err.push(l) },
    out: () => out.join('\n'),
    err: () => err.join('\n'),
  };
}
