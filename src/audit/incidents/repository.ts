import type { Kysely } from 'kysely';
import type { Database, IncidentsTable } from '../../db/schema.js';

type Trx = Kysely<Database>;

const columns = [
  'id',
  'summary',
  'discovered_on',
  'categories',
  'window_start',
  'window_end',
  'contract_days',
  'deadline_on',
  'status',
  'opened_by',
  'opened_at',
  'updated_at',
  'closed_by',
  'closed_at',
] as const;

export async function insertIncident(db: Trx, row: IncidentsTable): Promise<void> {
  await db.insertInto('incidents').values(row).execute();
}

export async function listIncidents(db: Trx) {
  // Open ones first, most urgent on top; closed ones after, most recent first.
  return db
    .selectFrom('incidents')
    .select(columns)
    .orderBy('status', 'desc')
    .orderBy('deadline_on', 'asc')
    .orderBy('opened_at', 'desc')
    .limit(500)
    .execute();
}

export async function findIncident(db: Trx, id: string) {
  return db.selectFrom('incidents').select(columns).where('id', '=', id).executeTakeFirst();
}

export type IncidentChanges = Pick<
  IncidentsTable,
  | 'summary'
  | 'discovered_on'
  | 'categories'
  | 'window_start'
  | 'window_end'
  | 'contract_days'
  | 'deadline_on'
  | 'updated_at'
>;

/** Changes an open incident; false when it is closed (or gone) by the time the write lands. */
export async function updateOpenIncident(
  db: Trx,
  id: string,
  changes: IncidentChanges,
): Promise<boolean> {
  const res = await db
    .updateTable('incidents')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function closeIncident(db: Trx, id: string, by: string, at: string): Promise<boolean> {
  const res = await db
    .updateTable('incidents')
    .set({ status: 'closed', closed_by: by, closed_at: at, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function openDeadlines(db: Trx) {
  return db
    .selectFrom('incidents')
    .select(['id', 'deadline_on'])
    .where('status', '=', 'open')
    .execute();
}

/** Claims one reminder; false when it was already claimed (by an earlier or concurrent run). */
export async function claimReminder(
  db: Trx,
  row: { incident_id: string; days_before: number; deadline_on: string; enqueued_at: string },
): Promise<boolean> {
  const res = await db
    .insertInto('incident_reminders')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'days_before', 'deadline_on']).doNothing())
    .returning('incident_id')
    .execute();
  // RETURNING yields the row only when it was really inserted, on both engines.
  return res.length === 1;
}

export async function remindersFor(db: Trx, id: string) {
  return db
    .selectFrom('incident_reminders')
    .select(['days_before', 'deadline_on', 'enqueued_at'])
    .where('incident_id', '=', id)
    .orderBy('enqueued_at')
    .execute();
}

/** Kinds of audit entry that mean a person's record was seen or left the system. */
export const exposingActions = ['record_read', 'export', 'disclosure'] as const;

export interface Window {
  /** ISO times: from inclusive, until exclusive; either may be open. */
  from?: string | undefined;
  until?: string | undefined;
}

export interface Exposure {
  leadId: string;
  entries: number;
  firstAt: string | null;
  lastAt: string | null;
}

/** Lead ids the audit log shows were read, exported or disclosed in the window, with counts. */
export async function exposedLeads(db: Trx, w: Window): Promise<Exposure[]> {
  let q = db
    .selectFrom('audit_log')
    .select((eb) => [
      'target_id',
      eb.fn.countAll<string | number>().as('entries'),
      eb.fn.min('at').as('first_at'),
      eb.fn.max('at').as('last_at'),
    ])
    .where('target_type', '=', 'lead')
    .where('action', 'in', exposingActions)
    .where('target_id', 'is not', null);
  if (w.from) q = q.where('at', '>=', w.from);
  if (w.until) q = q.where('at', '<', w.until);
  const rows = await q.groupBy('target_id').orderBy('target_id').execute();
  return rows.map((r) => ({
    leadId: r.target_id!,
    entries: Number(r.entries),
    firstAt: r.first_at,
    lastAt: r.last_at,
  }));
}

/** Lead ids in the disclosure ledger for the window: a disclosure names its people there. */
export async function disclosedLeads(db: Trx, w: Window): Promise<string[]> {
  let q = db
    .selectFrom('disclosure_subjects')
    .innerJoin('disclosures', 'disclosures.id', 'disclosure_subjects.disclosure_id')
    .select('disclosure_subjects.subject_id')
    .distinct()
    .where('disclosure_subjects.subject_type', '=', 'lead');
  if (w.from) q = q.where('disclosures.at', '>=', w.from);
  if (w.until) q = q.where('disclosures.at', '<', w.until);
  const rows = await q.execute();
  return rows.map((r) => r.subject_id);
}
