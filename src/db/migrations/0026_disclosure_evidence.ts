import type { Kysely } from 'kysely';

const ts = 'varchar(32)';

// Evidence a privacy officer records before a third party may receive anything: a legal process
// (issuer, reference, date, the people it names), a protection justification (one person), or a
// buyer's undertaking to use data only as the policy allows. The disclosure rules look these up;
// the basis an administrator picks is no longer enough on its own.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('disclosure_authorities')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(24)', (c) => c.notNull())
    .addColumn('recipient_id', 'varchar(36)', (c) => c.notNull().references('recipients.id'))
    .addColumn('issuer', 'varchar(200)', (c) => c.notNull())
    .addColumn('reference', 'varchar(200)', (c) => c.notNull())
    .addColumn('issued_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('justification', 'varchar(2000)')
    .addColumn('entered_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('entered_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('disclosure_authorities_recipient_idx')
    .on('disclosure_authorities')
    .columns(['recipient_id', 'kind'])
    .execute();
  await db.schema
    .createTable('disclosure_authority_subjects')
    .addColumn('authority_id', 'varchar(36)', (c) =>
      c.notNull().references('disclosure_authorities.id').onDelete('cascade'),
    )
    .addColumn('subject_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)', (c) => c.notNull())
    .addPrimaryKeyConstraint('disclosure_authority_subjects_pk', [
      'authority_id',
      'subject_type',
      'subject_id',
    ])
    .execute();
  // Access reports and erasure find a person's rows by (type, id).
  await db.schema
    .createIndex('disclosure_authority_subjects_subject_idx')
    .on('disclosure_authority_subjects')
    .columns(['subject_type', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('disclosure_authority_subjects').ifExists().execute();
  await db.schema.dropTable('disclosure_authorities').ifExists().execute();
}
