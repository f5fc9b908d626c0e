import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../adapters/clock.js';
import { intervalJob } from '../adapters/interval-job.js';
import { makeOwnerDir } from '../config/data-dir.js';
import type { Config } from '../config/env.js';
import type { Keyring } from '../privacy/keyring.js';
import { takeBackup } from './service.js';

const HOUR = 3_600_000;
// Checked hourly, a backup is due when the newest is nearly a day old: restarts (each tick runs
// once at start) then never add backups, so a crash loop cannot push the older days out.
const DUE_AFTER = 24 * HOUR - HOUR / 2;
const NAME = /^starspmb-(\d{8}T\d{6}Z)\.backup$/;

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const parseStamp = (s: string) =>
  new Date(s.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));

/** The scheduled backups in a folder, oldest first (only files this schedule names). */
export function scheduledBackups(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort();
}

export interface StoredBackup {
  name: string;
  at: Date;
  bytes: number;
}

/** The scheduled backups in a folder with when each was taken, newest first. */
export function storedBackups(dir: string): StoredBackup[] {
  return scheduledBackups(dir)
    .reverse()
    .map((name) => ({
      name,
      at: parseStamp(NAME.exec(name)![1]!),
      bytes: fs.statSync(path.join(dir, name)).size,
    }));
}

export type ScheduledOutcome =
  | { status: 'off' }
  | { status: 'not due'; newest: string }
  | { status: 'written'; file: string; bytes: number; removed: string[] };

/**
 * The daily backup into BACKUP_DIR, keeping the newest BACKUP_KEEP (off while BACKUP_DIR is
 * unset). The server starts it; tests call `runOnce` with their clock. Safe to run twice.
 */
export function createBackupSchedule(deps: {
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'backupDir' | 'backupKeep'>;
  keys: Keyring;
  clock: Clock;
  log: FastifyBaseLogger;
}) {
  const dir = deps.config.backupDir;
  let busy = false;

  async function backupIfDue(dir: string): Promise<ScheduledOutcome> {
    const now = deps.clock.now();
    const newest = scheduledBackups(dir).at(-1);
    const age = newest ? now.getTime() - parseStamp(NAME.exec(newest)![1]!).getTime() : Infinity;
    if (newest && age >= 0 && age < DUE_AFTER) return { status: 'not due', newest };
    makeOwnerDir(dir);
    // A file left half-written by a crash is never a backup: the next one replaces it.
    for (const n of fs.readdirSync(dir).filter((n) => n.endsWith('.backup.partial')))
      fs.rmSync(path.join(dir, n), { force: true });
    const file = path.join(dir, `starspmb-${stamp(now)}.backup`);
    const r = await takeBackup(
      { databaseUrl: deps.config.databaseUrl, dataDir: deps.config.dataDir, keys: deps.keys },
      file,
      now,
    );
    const removed = scheduledBackups(dir).slice(0, -deps.config.backupKeep);
    for (const n of removed) fs.rmSync(path.join(dir, n), { force: true });
    deps.log.info({ file, bytes: r.bytes, removed }, 'scheduled backup written');
    return { status: 'written', file, bytes: r.bytes, removed };
  }

  async function runOnce(): Promise<ScheduledOutcome> {
    if (!dir) return { status: 'off' };
    if (busy) return { status: 'not due', newest: 'a backup in progress' };
    busy = true;
    try {
      return await backupIfDue(dir);
    } finally {
      busy = false;
    }
  }

  const job = intervalJob(runOnce, {
    intervalMs: HOUR,
    log: deps.log,
    failed: 'scheduled backup failed',
  });
  return { ...job, start: () => (dir ? job.start() : undefined) };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The daily backup (BACKUP_DIR); the server starts the timer. */
    backups: ReturnType<typeof createBackupSchedule>;
  }
}
