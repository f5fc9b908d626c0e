import { spawn } from 'node:child_process';
import readline from 'node:readline';
import pg from 'pg';
import type { Progress } from './manifest.js';

// PostgreSQL through pg_dump and pg_restore (custom format, compressed by pg_dump). The row
// counts of the manifest and the dump read one snapshot: this connection exports it and pg_dump
// imports it with --snapshot. The password goes to the tools in PGPASSWORD, never on their
// command line, where other accounts on the machine could read it.

const PG_DUMP = process.env.PG_DUMP ?? 'pg_dump';
const PG_RESTORE = process.env.PG_RESTORE ?? 'pg_restore';

/** The URL without its password, and the environment that carries the password instead. */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return {
    dbname: u.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

interface RunOptions {
  env: NodeJS.ProcessEnv;
  /** Receives standard output, with back-pressure. */
  onStdout?: (chunk: Buffer) => Promise<void>;
  onStderrLine?: (line: string) => void;
}

/** Runs a client tool; rejects with its own error lines when it fails. */
async function run(cmd: string, args: string[], opts: RunOptions): Promise<string> {
  const child = spawn(cmd, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const errors: string[] = [];
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(new Error(`cannot run ${cmd} (${err.message}); install the PostgreSQL client tools`)),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const lines = readline.createInterface({ input: child.stderr });
  lines.on('line', (line) => {
    if (/error|fatal|warning/i.test(line)) errors.push(line);
    opts.onStderrLine?.(line);
  });
  await spawned;
  let text = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    if (opts.onStdout) await opts.onStdout(chunk);
    else text += chunk.toString('utf8');
  }
  const code = await exited;
  if (code !== 0)
    throw new Error(
      `${cmd} failed (exit ${code}): ${errors.slice(0, 5).join(' | ') || 'no message'}`,
    );
  return text;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Rows per table of the connection's schema, and the migrations it has applied. */
async function describe(c: pg.Client) {
  const names = await c.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const tables: Record<string, number> = {};
  for (const { name } of names.rows) {
    const r = await c.query<{ n: string }>(
      `select count(*) as n from "${name.replace(/"/g, '""')}"`,
    );
    tables[name] = Number(r.rows[0]?.n ?? 0);
  }
  const migrations =
    'kysely_migration' in tables
      ? (
          await c.query<{ name: string }>('select name from kysely_migration order by name')
        ).rows.map((r) => r.name)
      : [];
  return { tables, migrations };
}

/**
 * Streams a pg_dump of the database to `sink`, after telling `described` the row counts and
 * migrations in the dump's own snapshot (the manifest comes first in the file).
 */
export async function dumpPostgres(
  url: string,
  described: (d: { tables: Record<string, number>; migrations: string[] }) => Promise<void>,
  sink: (chunk: Buffer) => Promise<void>,
  onProgress?: Progress,
): Promise<void> {
  return withClient(url, async (c) => {
    await c.query('begin isolation level repeatable read read only');
    try {
      const snapshot = (await c.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0]!
        .s;
      const d = await describe(c);
      await described(d);
      const total = Object.keys(d.tables).length;
      let done = 0;
      const { dbname, env } = connection(url);
      await run(
        PG_DUMP,
        ['--format=custom', '--verbose', `--snapshot=${snapshot}`, `--dbname=${dbname}`],
        {
          env,
          onStdout: sink,
          onStderrLine: (line) => {
            if (line.includes('dumping contents of table')) onProgress?.(++done, total);
          },
        },
      );
    } finally {
      await c.query('rollback');
    }
  });
}

/** Tables (with rows) of the database at `url`: empty when it has none. */
export async function postgresContents(url: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => (await describe(c)).tables);
}

/** Drops everything in the connection's schema: what `restore --force` does before restoring. */
export async function clearPostgres(url: string): Promise<void> {
  await withClient(url, async (c) => {
    const s = (await c.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const q = `"${s.replace(/"/g, '""')}"`;
    await c.query(`drop schema ${q} cascade; create schema ${q}`);
  });
}

/** Restores a custom-format dump in one transaction: all of it, or nothing. */
export async function restorePostgres(
  url: string,
  dumpFile: string,
  tables: number,
  onProgress?: Progress,
): Promise<void> {
  const { dbname, env } = connection(url);
  let done = 0;
  await run(
    PG_RESTORE,
    [
      '--no-owner',
      '--no-privileges',
      '--single-transaction',
      '--exit-on-error',
      '--verbose',
      `--dbname=${dbname}`,
      dumpFile,
    ],
    {
      env,
      onStderrLine: (line) => {
        if (line.includes('processing data for table')) onProgress?.(++done, tables);
      },
    },
  );
}

/** pg_restore --list of a dump, then a full read of it: what verify reports. */
export async function checkPostgresDump(
  dumpFile: string,
): Promise<{ entries: number; tableData: number }> {
  const env = process.env;
  const list = await run(PG_RESTORE, ['--list', dumpFile], { env });
  // Reads every data block too (decompressing it), writing the script nowhere.
  await run(PG_RESTORE, ['--file=/dev/null', dumpFile], { env });
  const entries = list.split('\n').filter((l) => /^\d+;/.test(l));
  return {
    entries: entries.length,
    tableData: entries.filter((l) => l.includes(' TABLE DATA ')).length,
  };
}
