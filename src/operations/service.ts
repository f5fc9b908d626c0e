import type { Clock } from '../adapters/clock.js';
import { HOUR_MS } from '../adapters/dates.js';
import { storedBackups, type StoredBackup } from '../backup/schedule.js';
import type { Db } from '../db/database.js';
import { countFailing, failingMessages } from '../outbox/repository.js';

// What an operator checks: messages that do not go out, and whether last night's backup exists.
// Neither names anyone: a message is shown by its kind and error, never its recipient.

/** A daily backup older than this has been missed (the schedule writes one every ~24 h). */
export const BACKUP_STALE_MS = 26 * HOUR_MS;

// An SMTP error may quote the address it refused.
const ADDRESS = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+/g;
export const withoutAddresses = (text: string): string => text.replace(ADDRESS, '[address]');

export type BackupState =
  | { status: 'off' }
  | { status: 'none' }
  | { status: 'fresh' | 'stale'; newest: StoredBackup; kept: StoredBackup[] };

export function createOperationsService(deps: { db: Db; clock: Clock; backupDir?: string }) {
  return {
    countFailing: () => countFailing(deps.db),

    async failing(limit = 100) {
      const rows = await failingMessages(deps.db, limit);
      return rows.map((r) => ({
        kind: r.kind,
        createdAt: r.created_at,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
        error: withoutAddresses(r.last_error ?? ''),
      }));
    },

    backups(): BackupState {
      if (!deps.backupDir) return { status: 'off' };
      const kept = storedBackups(deps.backupDir);
      const newest = kept[0];
      if (!newest) return { status: 'none' };
      const age = deps.clock.now().getTime() - newest.at.getTime();
      return { status: age > BACKUP_STALE_MS ? 'stale' : 'fresh', newest, kept };
    },
  };
}

export type OperationsService = ReturnType<typeof createOperationsService>;
export type FailingMessage = Awaited<ReturnType<OperationsService['failing']>>[number];
