import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Config } from '../config/env.js';
import { BackupFileError } from '../backup/format.js';
import {
  NotEmptyError,
  restoreBackup,
  takeBackup,
  verifyBackup,
  type BackupContext,
  type VerifyReport,
} from '../backup/service.js';
import { KEY_FILE, loadKeyring, type Keyring } from '../privacy/keyring.js';

export const backupUsage = `  backup <file>                           a consistent, encrypted backup of the database, taken while the
                                          site runs (needs the data key to be read again)
  backup verify <file>                    authenticate a backup, check the database in it, say what it holds
  restore <file> [--force]                restore a backup into an empty database, then migrate it;
                                          --force replaces whatever the database holds
  (exit codes: 0 done, 1 usage or setup, 2 the backup fails its checks, 3 the database is not empty)`;

export interface CliIo {
  print(line: string): void;
  error(line: string): void;
  /** A progress bar, or nothing when standard error is not a terminal. */
  progress?: BackupContext['onProgress'];
}

/** Keys as they are: a backup command never makes a new key file (it could seal nothing we have). */
function existingKeys(config: Config): Keyring {
  if (!config.dataKey && !fs.existsSync(path.join(config.dataDir, KEY_FILE)))
    throw new Error(
      `no data key: neither STARSPMB_DATA_KEY nor ${path.join(config.dataDir, KEY_FILE)} exists. ` +
        'Put the data key you kept apart from the backups in place first',
    );
  return loadKeyring({
    dataDir: config.dataDir,
    key: config.dataKey,
    previous: config.previousDataKeys,
  });
}

/** A bar on standard error when it is a terminal; nothing otherwise (logs, cron, CI). */
export function terminalProgress(): { onProgress?: CliIo['progress']; stop(): void } {
  if (!process.stderr.isTTY) return { stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: '  {step} [{bar}] {percentage}%', stream: process.stderr, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let step = '';
  return {
    onProgress(s, done, total) {
      if (s !== step) {
        if (step) bar.stop();
        step = s;
        bar.start(total, 0, { step });
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (step) bar.stop();
      step = '';
    },
  };
}

export function consoleIo(): CliIo {
  const bar = terminalProgress();
  return {
    print: (line) => (bar.stop(), console.log(line)),
    error: (line) => (bar.stop(), console.error(line)),
    progress: bar.onProgress,
  };
}

async function guarded(io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    const message = (err as Error).message;
    if (err instanceof BackupFileError) {
      io.error(`Backup refused: ${message}`);
      return 2;
    }
    if (err instanceof NotEmptyError) {
      io.error(`${message}.`);
      return 3;
    }
    io.error(`Failed: ${message}`);
    return 1;
  }
}

function context(config: Config, io: CliIo): BackupContext {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    keys: existingKeys(config),
    onProgress: io.progress,
  };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

/** `starspmb backup <file>` and `starspmb backup verify <file>`. */
export async function backupCommand(config: Config, args: string[], io = consoleIo()) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [first, second] = positionals;
  if (first === 'verify' && second && positionals.length === 2)
    return guarded(io, async () => {
      printReport(second, await verifyBackup(context(config, io), second), io);
      return 0;
    });
  if (!first || first === 'verify' || positionals.length !== 1) {
    io.error(`Usage:\n${backupUsage}`);
    return 1;
  }
  return guarded(io, async () => {
    const ctx = context(config, io);
    const r = await takeBackup(ctx, first, new Date());
    const rows = Object.values(r.manifest.tables).reduce((a, b) => a + b, 0);
    io.print(
      `Backed up ${r.manifest.engine} (${Object.keys(r.manifest.tables).length} tables, ${rows} rows) to ${first}: ` +
        `${mb(r.bytes)}, encrypted with data key ${ctx.keys.current.id}. Keep that key apart from the backups.`,
    );
    return 0;
  });
}

/** `starspmb restore <file> [--force]`. */
export async function restoreCommand(config: Config, args: string[], io = consoleIo()) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' } } });
  } catch (err) {
    io.error(`${(err as Error).message}\nUsage:\n${backupUsage}`);
    return 1;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length) {
    io.error(`Usage:\n${backupUsage}`);
    return 1;
  }
  return guarded(io, async () => {
    const r = await restoreBackup(context(config, io), file, {
      force: parsed.values.force === true,
    });
    const rows = Object.values(r.manifest.tables).reduce((a, b) => a + b, 0);
    io.print(
      `Restored the backup of ${r.manifest.createdAt} (${rows} rows)${r.replaced ? ', replacing what the database held' : ''}. ` +
        (r.migrated.length ? `Then applied: ${r.migrated.join(', ')}.` : 'Its schema is current.') +
        ' Start the site on it with the same data key.',
    );
    return 0;
  });
}

function printReport(file: string, r: VerifyReport, io: CliIo) {
  const tables = Object.entries(r.manifest.tables);
  const rows = tables.reduce((a, [, n]) => a + n, 0);
  io.print(`${file}: intact.`);
  io.print(`  engine      ${r.header.engine}`);
  io.print(`  created at  ${r.header.createdAt}`);
  io.print(`  data key    ${r.header.keyId}`);
  io.print(`  size        ${mb(r.fileBytes)} (database inside: ${mb(r.payloadBytes)})`);
  io.print(
    `  schema      ${r.manifest.migrations.at(-1) ?? 'none'} (${r.manifest.migrations.length} migrations)`,
  );
  io.print(`  check       ${r.check}`);
  io.print(`  tables      ${tables.length}, ${rows} rows:`);
  const width = Math.max(0, ...tables.map(([t]) => t.length));
  for (const [t, n] of tables.filter(([, n]) => n > 0)) io.print(`    ${t.padEnd(width)}  ${n}`);
  const empty = tables.filter(([, n]) => n === 0).length;
  if (empty) io.print(`    (${empty} empty table(s))`);
}
