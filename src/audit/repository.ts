import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AuditAction } from './log.js';

type Trx = Kysely<Database>;

export interface AuditFilter {
  action?: AuditAction | undefined;
  /** Exact actor_id: a staff id, a system job name or a person reference. */
  actorId?: string | undefined;
  targetId?: string | undefined;
  /** ISO times: from inclusive, until exclusive. */
  from?: string | undefined;
  until?: string | undefined;
}

/** Keyset position: entries older than `before`, or newer than `after` (seq numbers). */
export interface AuditCursor {
  before?: number | undefined;
  after?: number | undefined;
}

function filtered(db: Trx, f: AuditFilter) {
  let q = db
    .selectFrom('audit_log')
    .leftJoin('staff_users', (join) =>
      join
        .onRef('staff_users.id', '=', 'audit_log.actor_id')
        .on('audit_log.actor_kind', '=', 'staff'),
    );
  if (f.action) q = q.where('audit_log.action', '=', f.action);
  if (f.actorId) q = q.where('audit_log.actor_id', '=', f.actorId);
  if (f.targetId) q = q.where('audit_log.target_id', '=', f.targetId);
  if (f.from) q = q.where('audit_log.at', '>=', f.from);
  if (f.until) q = q.where('audit_log.at', '<', f.until);
  return q;
}

/**
 * One page of entries, newest first, plus one extra row that only says whether more exist.
 * Keyset paging on seq: an append-only log grows at the top, so offsets would shift under the
 * reader and get slower the deeper they go.
 */
export async function listEntries(db: Trx, f: AuditFilter, cursor: AuditCursor, limit: number) {
  let q = filtered(db, f).select([
    'audit_log.seq',
    'audit_log.at',
    'audit_log.actor_kind',
    'audit_log.actor_id',
    'audit_log.action',
    'audit_log.target_type',
    'audit_log.target_id',
    'audit_log.purpose',
    'audit_log.detail',
    'staff_users.email as staff_email',
  ]);
  if (cursor.after !== undefined) {
    const rows = await q
      .where('audit_log.seq', '>', cursor.after)
      .orderBy('audit_log.seq', 'asc')
      .limit(limit + 1)
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) })).reverse();
  }
  if (cursor.before !== undefined) q = q.where('audit_log.seq', '<', cursor.before);
  const rows = await q
    .orderBy('audit_log.seq', 'desc')
    .limit(limit + 1)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function staffIdByEmail(db: Trx, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirst();
  return row?.id;
}
