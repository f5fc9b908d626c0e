import { createHash } from 'node:crypto';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Purpose } from '../privacy/vocabulary.js';
import { currentAuditKey, hmacHex, type AuditKey } from './key.js';

export type AuditActor =
  | { kind: 'staff'; id: string }
  | { kind: 'system'; name: string }
  | { kind: 'person'; ref: string }
  | { kind: 'anonymous' };

export type AuditAction =
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'account_created'
  | 'role_changed'
  | 'record_read'
  | 'export'
  | 'disclosure'
  | 'disclosure_evidence'
  | 'deletion'
  | 'correction'
  | 'retention_run'
  | 'legal_hold'
  | 'privacy_request'
  | 'processor_change'
  | 'tag_change'
  | 'incident'
  | 'key_rotation'
  | 'account_invited'
  | 'invitation_accepted'
  | 'account_disabled'
  | 'account_enabled'
  | 'password_reset_sent'
  | 'password_reset'
  | 'second_factor'
  | 'session_ended';

/** Every action, for forms and filters; the check below fails the build if one is left out. */
export const auditActions = [
  'login',
  'login_failed',
  'logout',
  'account_created',
  'role_changed',
  'record_read',
  'export',
  'disclosure',
  'disclosure_evidence',
  'deletion',
  'correction',
  'retention_run',
  'legal_hold',
  'privacy_request',
  'processor_change',
  'tag_change',
  'incident',
  'key_rotation',
  'account_invited',
  'invitation_accepted',
  'account_disabled',
  'account_enabled',
  'password_reset_sent',
  'password_reset',
  'second_factor',
  'session_ended',
] as const satisfies readonly AuditAction[];
const everyActionListed: Exclude<AuditAction, (typeof auditActions)[number]> extends never
  ? true
  : never = true;
void everyActionListed;

export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  actor: AuditActor;
  action: AuditAction;
  target?: { type: string; id: string };
  purpose?: Purpose;
  /** Never personal data: ids, counts, names of fields. */
  detail?: AuditDetail;
}

/** The prev_hash of the first row: there is nothing before it. */
export const genesisHash = '0'.repeat(64);

/** An arbitrary constant naming the one advisory lock that serialises appends on PostgreSQL. */
const chainLockKey = 734_201_903;

/**
 * How a row's hash was made. 0: plain SHA-256, every row written before the audit key existed
 * (migration 0022); 1: HMAC-SHA256 under the audit key. Only legacy rows may precede keyed ones,
 * and checkpoints record where the legacy prefix ends (docs/decisions/016).
 */
export type ChainVersion = 0 | 1;
export const LEGACY_CHAIN = 0;
export const KEYED_CHAIN = 1;

/** The columns a row's hash covers, exactly as stored. */
export interface ChainedRow {
  seq: number;
  at: string;
  actor_kind: AuditActor['kind'];
  actor_id: string | null;
  action: AuditAction;
  target_type: string | null;
  target_id: string | null;
  purpose: Purpose | null;
  detail: string | null;
  prev_hash: string;
}

/**
 * A fixed-order JSON array, so the same content always hashes the same on both engines. Every
 * field is included, so changing any of them (or the link to the previous row) changes the hash.
 */
function canonicalRow(row: ChainedRow): unknown[] {
  return [
    row.seq,
    row.at,
    row.actor_kind,
    row.actor_id,
    row.action,
    row.target_type,
    row.target_id,
    row.purpose,
    row.detail,
    row.prev_hash,
  ];
}

/** The unkeyed hash of rows written before migration 0022: anyone can recompute it. */
export function legacyRowHash(row: ChainedRow): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalRow(row)), 'utf8')
    .digest('hex');
}

/** The keyed hash: HMAC-SHA256 under the audit key over the version and the canonical row. */
export function keyedRowHash(row: ChainedRow, key: AuditKey): string {
  return hmacHex(key.chainKey, JSON.stringify([KEYED_CHAIN, ...canonicalRow(row)]));
}

/** The hash a row of the given version must carry. */
export function rowHash(row: ChainedRow, version: ChainVersion, key: AuditKey): string {
  return version === LEGACY_CHAIN ? legacyRowHash(row) : keyedRowHash(row, key);
}

/** Detail as JSON with sorted keys: the stored text is what is hashed, so it must be stable. */
export function canonicalDetail(detail: AuditDetail | undefined): string | null {
  if (!detail) return null;
  const sorted = Object.keys(detail)
    .sort()
    .map((k) => [k, detail[k]] as const);
  return JSON.stringify(Object.fromEntries(sorted));
}

function actorId(actor: AuditActor): string | null {
  switch (actor.kind) {
    case 'staff':
      return actor.id;
    case 'system':
      return actor.name;
    case 'person':
      return actor.ref;
    case 'anonymous':
      return null;
  }
}

function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * PostgreSQL: every append (and the purger) takes the same lock until its transaction ends, so
 * two writers never read the same tail. SQLite: a write transaction is already exclusive.
 */
export async function lockAuditChain(trx: Kysely<Database>): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(${chainLockKey})`.execute(trx);
}

async function appendInTransaction(
  trx: Kysely<Database>,
  entry: AuditEntry,
  at: Date,
  key: AuditKey,
): Promise<void> {
  await lockAuditChain(trx);
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row: ChainedRow = {
    seq: (last ? Number(last.seq) : 0) + 1,
    at: at.toISOString(),
    actor_kind: entry.actor.kind,
    actor_id: actorId(entry.actor),
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    purpose: entry.purpose ?? null,
    detail: canonicalDetail(entry.detail),
    prev_hash: last?.hash ?? genesisHash,
  };
  // seq is the primary key: even if the lock were bypassed, a second row claiming the same place
  // in the chain fails to insert rather than forking it.
  await trx
    .insertInto('audit_log')
    .values({ ...row, chain_version: KEYED_CHAIN, hash: keyedRowHash(row, key) })
    .execute();
}

/**
 * Appends one entry to the hash-chained audit log, keyed with the process's audit key. Pass the transaction of the change being
 * audited, so the entry commits or rolls back with it; outside a transaction one is opened,
 * because reading the tail and inserting after it must be one atomic step.
 * Inside a transaction, pass `trx`, never the outer `db`: on SQLite the outer handle waits for
 * the transaction to end, which it never does.
 */
export async function appendAudit(
  db: Kysely<Database>,
  entry: AuditEntry,
  at: Date,
): Promise<void> {
  const key = currentAuditKey();
  if (db.isTransaction) return appendInTransaction(db, entry, at, key);
  await db.transaction().execute((trx) => appendInTransaction(trx, entry, at, key));
}
