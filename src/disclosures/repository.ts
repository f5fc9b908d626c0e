import type { Kysely } from 'kysely';
import type {
  Database,
  DisclosureAuthoritiesTable,
  DisclosureChannel,
  RecipientsTable,
} from '../db/schema.js';
import { disclosureColumns } from '../privacy/disclosure-store.js';
import type { DisclosureBasis } from '../privacy/vocabulary.js';

// The console's SQL for the processor registry and the ledger. The kernel's own lookups (by id,
// by key, for the policy page) are in src/privacy/disclosure-store.ts.

type Db = Kysely<Database>;

export async function insertRecipient(db: Db, row: RecipientsTable): Promise<void> {
  await db.insertInto('recipients').values(row).execute();
}

export async function updateRecipient(
  db: Db,
  id: string,
  set: Partial<Omit<RecipientsTable, 'id' | 'kind' | 'key' | 'created_at'>>,
): Promise<boolean> {
  const res = await db.updateTable('recipients').set(set).where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function keyOwner(db: Db, key: string) {
  return db
    .selectFrom('recipients')
    .select(['id', 'name'])
    .where('key', '=', key)
    .executeTakeFirst();
}

export interface LedgerFilter {
  lead?: string | undefined;
  recipient?: string | undefined;
  basis?: DisclosureBasis | undefined;
}

function filtered(db: Db, f: LedgerFilter) {
  let q = db.selectFrom('disclosures as d').innerJoin('recipients as r', 'r.id', 'd.recipient_id');
  if (f.recipient) q = q.where('d.recipient_id', '=', f.recipient);
  if (f.basis) q = q.where('d.basis', '=', f.basis);
  if (f.lead) {
    // The subjects table's primary key starts with (type, id): an index lookup, not a scan.
    const lead = f.lead;
    q = q.where('d.id', 'in', (eb) =>
      eb
        .selectFrom('disclosure_subjects')
        .select('disclosure_id')
        .where('subject_type', '=', 'lead')
        .where('subject_id', '=', lead),
    );
  }
  return q;
}

export interface LedgerRow {
  id: string;
  at: string;
  basis: DisclosureBasis;
  purpose: string;
  categories: string;
  reference: string | null;
  channel: DisclosureChannel;
  actor_kind: string;
  actor_id: string | null;
  subject_count: number;
  recipient_name: string;
  recipient_kind: RecipientsTable['kind'];
  staff_email: string | null;
}

export async function listLedger(db: Db, f: LedgerFilter, limit: number, offset: number) {
  const rows = await filtered(db, f)
    .leftJoin('staff_users as s', (j) =>
      j.onRef('s.id', '=', 'd.actor_id').on('d.actor_kind', '=', 'staff'),
    )
    .select([
      ...disclosureColumns,
      'd.actor_kind',
      'd.actor_id',
      'd.subject_count',
      's.email as staff_email',
    ])
    .orderBy('d.at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({ ...r, subject_count: Number(r.subject_count) })) as LedgerRow[];
}

export async function countLedger(db: Db, f: LedgerFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Lead ids of the people one page of disclosures concerns, a few per disclosure. */
export async function subjectsOf(db: Db, disclosureIds: string[]) {
  if (disclosureIds.length === 0) return [];
  return db
    .selectFrom('disclosure_subjects')
    .select(['disclosure_id', 'subject_id'])
    .where('disclosure_id', 'in', disclosureIds)
    .orderBy('subject_id')
    .execute();
}

// Evidence records (disclosure_authorities): entered by a privacy officer, read by the export form.

export async function insertEvidence(
  db: Db,
  row: DisclosureAuthoritiesTable,
  leadIds: readonly string[],
): Promise<void> {
  await db.insertInto('disclosure_authorities').values(row).execute();
  if (leadIds.length)
    await db
      .insertInto('disclosure_authority_subjects')
      .values(leadIds.map((id) => ({ authority_id: row.id, subject_type: 'lead', subject_id: id })))
      .execute();
}

/** Evidence records, newest first, with the recipient and who entered them. */
export async function listEvidence(db: Db, recipientId?: string) {
  let q = db
    .selectFrom('disclosure_authorities as a')
    .innerJoin('recipients as r', 'r.id', 'a.recipient_id')
    .leftJoin('staff_users as s', 's.id', 'a.entered_by')
    .select([
      'a.id',
      'a.kind',
      'a.recipient_id',
      'a.issuer',
      'a.reference',
      'a.issued_on',
      'a.justification',
      'a.entered_at',
      'r.name as recipient_name',
      's.email as staff_email',
    ]);
  if (recipientId) q = q.where('a.recipient_id', '=', recipientId);
  return q.orderBy('a.entered_at', 'desc').orderBy('a.id', 'desc').limit(500).execute();
}

/** The people each record covers, by record. */
export async function evidenceSubjects(db: Db, ids: readonly string[]) {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('disclosure_authority_subjects')
      .select(['authority_id', 'subject_id'])
      .where('authority_id', 'in', ids.slice(i, i + 500))
      .orderBy('subject_id')
      .execute();
    for (const r of rows)
      out.set(r.authority_id, [...(out.get(r.authority_id) ?? []), r.subject_id]);
  }
  return out;
}

export async function evidenceById(db: Db, id: string) {
  return db
    .selectFrom('disclosure_authorities')
    .select(['id', 'kind', 'recipient_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Leads by id or by any blind index of an email address. */
export async function leadIdsMatching(
  db: Db,
  ids: readonly string[],
  emailIndexes: readonly string[],
) {
  if (ids.length === 0 && emailIndexes.length === 0) return [];
  return db
    .selectFrom('leads')
    .select(['id', 'email_index'])
    .where((eb) =>
      eb.or([
        ...(ids.length ? [eb('id', 'in', ids)] : []),
        ...(emailIndexes.length ? [eb('email_index', 'in', emailIndexes)] : []),
      ]),
    )
    .execute();
}
