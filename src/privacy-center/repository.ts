import type { Kysely } from 'kysely';
import type {
  ConsentsTable,
  Database,
  GpcApplicationsTable,
  PrivacyRequestTokensTable,
  PrivacyRequestsTable,
} from '../db/schema.js';

type Db = Kysely<Database>;
export type RequestRow = PrivacyRequestsTable;
export type RequestChanges = Partial<
  Omit<PrivacyRequestsTable, 'id' | 'created_at' | 'kind' | 'channel'>
>;

// Personal columns are selected explicitly; callers open sealed ones through the kernel.
const requestColumns = [
  'id',
  'created_at',
  'kind',
  'channel',
  'status',
  'email',
  'email_index',
  'lead_ids',
  'correction_field',
  'correction_value',
  'new_email_confirmed_at',
  'verified_at',
  'receipt_due_at',
  'receipt_sent_at',
  'due_at',
  'extended_at',
  'extension_reason',
  'reminded_for',
  'report_until',
  'responded_at',
  'response',
  'denial_reason',
  'handled_by',
  'closed_at',
] as const satisfies readonly (keyof PrivacyRequestsTable)[];

/** A request as it arrives: nothing about it verified, extended, answered or closed yet. */
export function arrivingRequest(
  r: Pick<
    RequestRow,
    | 'id'
    | 'created_at'
    | 'kind'
    | 'channel'
    | 'status'
    | 'email'
    | 'email_index'
    | 'lead_ids'
    | 'receipt_due_at'
    | 'due_at'
  > &
    Partial<RequestRow>,
): RequestRow {
  return {
    correction_field: null,
    correction_value: null,
    new_email_confirmed_at: null,
    verified_at: null,
    receipt_sent_at: null,
    extended_at: null,
    extension_reason: null,
    reminded_for: null,
    report_until: null,
    responded_at: null,
    response: null,
    denial_reason: null,
    handled_by: null,
    closed_at: null,
    ...r,
  };
}

export async function insertRequest(db: Db, row: PrivacyRequestsTable): Promise<void> {
  await db.insertInto('privacy_requests').values(row).execute();
}

export async function insertToken(db: Db, row: PrivacyRequestTokensTable): Promise<void> {
  await db.insertInto('privacy_request_tokens').values(row).execute();
}

export async function requestById(db: Db, id: string): Promise<RequestRow | undefined> {
  return db
    .selectFrom('privacy_requests')
    .select(requestColumns)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function tokenByHash(db: Db, hash: string) {
  return db
    .selectFrom('privacy_request_tokens')
    .select(['token_hash', 'request_id', 'purpose', 'expires_at', 'used_at'])
    .where('token_hash', '=', hash)
    .executeTakeFirst();
}

/** The newest link of a kind for a request: its nonce re-derives the token for a mail. */
export async function latestToken(
  db: Db,
  requestId: string,
  purpose: PrivacyRequestTokensTable['purpose'],
) {
  return db
    .selectFrom('privacy_request_tokens')
    .select(['nonce', 'expires_at', 'used_at'])
    .where('request_id', '=', requestId)
    .where('purpose', '=', purpose)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** Marks a link used; false when it was already used or has expired (single use, race-safe). */
export async function useToken(db: Db, hash: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('privacy_request_tokens')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Updates a request only while it is in one of the given states; false when it was not. */
export async function updateRequest(
  db: Db,
  id: string,
  changes: RequestChanges,
  whileStatus: readonly RequestRow['status'][],
): Promise<boolean> {
  const res = await db
    .updateTable('privacy_requests')
    .set(changes)
    .where('id', '=', id)
    .where('status', 'in', whileStatus)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function listRequests(db: Db, open: boolean, limit = 200): Promise<RequestRow[]> {
  const q = db.selectFrom('privacy_requests').select(requestColumns);
  return open
    ? q.where('status', '=', 'verified').orderBy('due_at').orderBy('id').limit(limit).execute()
    : q
        .where('status', 'in', ['completed', 'denied'])
        .orderBy('closed_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
}

/** Open requests whose 10-days-left moment has come and that were not yet reminded for this due date. */
export async function requestsToRemind(db: Db, remindBefore: string) {
  return db
    .selectFrom('privacy_requests')
    .select(['id', 'due_at', 'reminded_for'])
    .where('status', '=', 'verified')
    .where('due_at', '<=', remindBefore)
    .where((eb) =>
      eb.or([eb('reminded_for', 'is', null), eb('reminded_for', '!=', eb.ref('due_at'))]),
    )
    .execute();
}

/** Claims the reminder for one due date; false when another run already did. */
export async function claimReminder(db: Db, id: string, dueAt: string): Promise<boolean> {
  const res = await db
    .updateTable('privacy_requests')
    .set({ reminded_for: dueAt })
    .where('id', '=', id)
    .where('due_at', '=', dueAt)
    .where((eb) => eb.or([eb('reminded_for', 'is', null), eb('reminded_for', '!=', dueAt)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertConsents(db: Db, rows: ConsentsTable[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('consents').values(rows).execute();
}

export async function insertGpc(db: Db, rows: Omit<GpcApplicationsTable, 'id'>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('gpc_applications').values(rows).execute();
}

/** Unverified requests whose link expired before `before`: never confirmed, so never a request. */
export async function deleteExpiredUnverified(db: Db, before: string): Promise<number> {
  const res = await db
    .deleteFrom('privacy_requests')
    .where('status', '=', 'unverified')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Open requests past their answer date, and those within `soonBefore` of it. */
export async function deadlineCounts(
  db: Db,
  now: string,
  soonBefore: string,
): Promise<{ overdue: number; dueSoon: number }> {
  const rows = await db
    .selectFrom('privacy_requests')
    .select('due_at')
    .where('status', '=', 'verified')
    .where('due_at', '<=', soonBefore)
    .execute();
  const overdue = rows.filter((r) => r.due_at < now).length;
  return { overdue, dueSoon: rows.length - overdue };
}
