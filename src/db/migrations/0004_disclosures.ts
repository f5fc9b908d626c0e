import type { Kysely } from 'kysely';

const ts = 'varchar(32)';

// The processor registry and the disclosure ledger (src/privacy/disclosures.ts writes both).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recipients')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('key', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(120)', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('purpose', 'varchar(200)', (c) => c.notNull())
    .addColumn('contract_ref', 'varchar(200)')
    .addColumn('related_entity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  // Ledger rows are never deleted with the recipient: deactivation, not deletion, retires one.
  await db.schema
    .createTable('disclosures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('recipient_id', 'varchar(36)', (c) => c.notNull().references('recipients.id'))
    .addColumn('basis', 'varchar(32)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('reference', 'varchar(200)')
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)')
    .addColumn('subject_count', 'integer', (c) => c.notNull())
    .execute();
  // The console lists newest first, optionally by recipient or basis; each index ends in `at`.
  await db.schema
    .createIndex('disclosures_at_idx')
    .on('disclosures')
    .columns(['at', 'id'])
    .execute();
  await db.schema
    .createIndex('disclosures_recipient_idx')
    .on('disclosures')
    .columns(['recipient_id', 'at'])
    .execute();
  await db.schema
    .createIndex('disclosures_basis_idx')
    .on('disclosures')
    .columns(['basis', 'at'])
    .execute();

  // One row per person: "every disclosure about this person" is a walk of the primary key.
  await db.schema
    .createTable('disclosure_subjects')
    .addColumn('disclosure_id', 'varchar(36)', (c) =>
      c.notNull().references('disclosures.id').onDelete('cascade'),
    )
    .addColumn('subject_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)', (c) => c.notNull())
    .addPrimaryKeyConstraint('disclosure_subjects_pk', [
      'subject_type',
      'subject_id',
      'disclosure_id',
    ])
    .execute();
  await db.schema
    .createIndex('disclosure_subjects_disclosure_idx')
    .on('disclosure_subjects')
    .column('disclosure_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['disclosure_subjects', 'disclosures', 'recipients']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
