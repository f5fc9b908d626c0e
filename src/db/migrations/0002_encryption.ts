import type { Kysely } from 'kysely';
import { isSqlite } from './util.js';

// Contact fields become sealed values (AES-256-GCM), so equality lookups move to keyed blind
// indexes. Existing rows are sealed and indexed by the app at start (it holds the key; a
// migration does not): see resealPending in src/privacy/reseal.ts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_email_idx').execute();
  await db.schema.dropIndex('leads_phone_idx').execute();
  await db.schema.alterTable('leads').dropColumn('email_normalized').execute();
  await db.schema.alterTable('leads').addColumn('email_index', 'varchar(64)').execute();
  await db.schema.alterTable('leads').addColumn('phone_index', 'varchar(64)').execute();
  await db.schema
    .createIndex('leads_email_index_idx')
    .unique()
    .on('leads')
    .column('email_index')
    .execute();
  await db.schema
    .createIndex('leads_phone_index_idx')
    .unique()
    .on('leads')
    .column('phone_index')
    .execute();
  // A sealed phone number is ~70 characters. SQLite does not enforce varchar lengths.
  if (!isSqlite(db)) {
    for (const table of ['leads', 'lead_submissions']) {
      await db.schema
        .alterTable(table)
        .alterColumn('phone', (c) => c.setDataType('text'))
        .execute();
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_email_index_idx').execute();
  await db.schema.dropIndex('leads_phone_index_idx').execute();
  await db.schema.alterTable('leads').dropColumn('email_index').execute();
  await db.schema.alterTable('leads').dropColumn('phone_index').execute();
  await db.schema.alterTable('leads').addColumn('email_normalized', 'text').execute();
}
