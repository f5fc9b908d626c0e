import type { Kysely } from 'kysely';
import type { Database, DisclosuresTable, RecipientsTable } from '../db/schema.js';
import type { Category } from './vocabulary.js';

// The SQL behind the disclosure ledger and the processor registry, for the kernel's own use
// (recordDisclosure, assertProcessorFor, the policy page). The console's queries live in
// src/disclosures/repository.ts.

type Db = Kysely<Database>;

export interface Recipient {
  id: string;
  kind: RecipientsTable['kind'];
  key: string;
  name: string;
  categories: Category[];
  purpose: string;
  contractRef: string | null;
  relatedEntity: boolean;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

const recipientColumns = [
  'id',
  'kind',
  'key',
  'name',
  'categories',
  'purpose',
  'contract_ref',
  'related_entity',
  'active',
  'created_at',
  'updated_at',
] as const;

type RecipientRow = Pick<RecipientsTable, (typeof recipientColumns)[number]>;

export function toRecipient(row: RecipientRow): Recipient {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    name: row.name,
    categories: JSON.parse(row.categories) as Category[],
    purpose: row.purpose,
    contractRef: row.contract_ref,
    relatedEntity: Number(row.related_entity) === 1,
    active: Number(row.active) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function recipientById(db: Db, id: string): Promise<Recipient | undefined> {
  const row = await db
    .selectFrom('recipients')
    .select(recipientColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecipient(row);
}

export async function recipientByKey(db: Db, key: string): Promise<Recipient | undefined> {
  const row = await db
    .selectFrom('recipients')
    .select(recipientColumns)
    .where('key', '=', key)
    .executeTakeFirst();
  return row && toRecipient(row);
}

export async function allRecipients(db: Db): Promise<Recipient[]> {
  const rows = await db
    .selectFrom('recipients')
    .select(recipientColumns)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toRecipient);
}

export async function activeProcessors(db: Db): Promise<Recipient[]> {
  const rows = await db
    .selectFrom('recipients')
    .select(recipientColumns)
    .where('kind', '=', 'processor')
    .where('active', '=', 1)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toRecipient);
}

// Batches keep each insert well under the bound-parameter limits of both engines.
const SUBJECT_BATCH = 500;

export async function insertDisclosure(
  db: Db,
  row: DisclosuresTable,
  subjects: readonly { type: 'lead'; id: string }[],
): Promise<void> {
  await db.insertInto('disclosures').values(row).execute();
  for (let i = 0; i < subjects.length; i += SUBJECT_BATCH) {
    const batch = subjects.slice(i, i + SUBJECT_BATCH).map((s) => ({
      disclosure_id: row.id,
      subject_type: s.type,
      subject_id: s.id,
    }));
    await db.insertInto('disclosure_subjects').values(batch).execute();
  }
}

/**
 * What is shown of a disclosure (`d`) wherever it is listed, with its recipient (`r`): the
 * staff ledger and a person's access report name the same facts.
 */
export const disclosureColumns = [
  'd.id',
  'd.at',
  'd.basis',
  'd.purpose',
  'd.categories',
  'd.reference',
  'd.channel',
  'r.name as recipient_name',
  'r.kind as recipient_kind',
] as const;

/** Every disclosure about one person, newest first: what their access report must list. */
export async function disclosuresAboutSubject(db: Db, subject: { type: 'lead'; id: string }) {
  return db
    .selectFrom('disclosure_subjects as s')
    .innerJoin('disclosures as d', 'd.id', 's.disclosure_id')
    .innerJoin('recipients as r', 'r.id', 'd.recipient_id')
    .select(disclosureColumns)
    .where('s.subject_type', '=', subject.type)
    .where('s.subject_id', '=', subject.id)
    .orderBy('d.at', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
}
