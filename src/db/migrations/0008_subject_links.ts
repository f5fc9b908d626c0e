import type { Kysely } from 'kysely';

const ts = 'varchar(32)';

// Data-subject rights find a person's rows through the links in src/privacy/data-map.ts
// (`subjectLinks`); each link column needs an index so an access report or an erasure stays an
// index lookup at a million leads. Most came with their tables; this adds the missing one, and
// the suppression list that keeps opt-outs after a person's record is erased.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('disclosure_subjects_subject_idx')
    .on('disclosure_subjects')
    .columns(['subject_type', 'subject_id'])
    .execute();
  // Privacy requests are found by the requester's address (a contact link, not a lead id).
  await db.schema
    .createIndex('privacy_requests_email_index_idx')
    .ifNotExists()
    .on('privacy_requests')
    .column('email_index')
    .execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('channel', 'varchar(32)', (c) => c.notNull())
    .addColumn('email_index', 'varchar(64)')
    .addColumn('phone_index', 'varchar(64)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  // Unique per address and channel; NULLs are distinct on both engines, so a phone-only row
  // never collides with an email-only one.
  await db.schema
    .createIndex('suppressions_email_idx')
    .unique()
    .on('suppressions')
    .columns(['email_index', 'channel'])
    .execute();
  await db.schema
    .createIndex('suppressions_phone_idx')
    .unique()
    .on('suppressions')
    .columns(['phone_index', 'channel'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('suppressions').ifExists().execute();
  await db.schema.dropIndex('privacy_requests_email_index_idx').ifExists().execute();
  await db.schema.dropIndex('disclosure_subjects_subject_idx').ifExists().execute();
}
