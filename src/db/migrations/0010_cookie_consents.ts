import type { Kysely } from 'kysely';
import { autoId } from './util.js';

// Proof of each cookie choice: one row per choice, found by the random consent id the browser
// keeps in a strictly necessary cookie, and by staff id when a signed-in person chose.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cookie_consents')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('consent_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('subject_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)')
    .addColumn('analytics', 'integer', (c) => c.notNull())
    .addColumn('advertising', 'integer', (c) => c.notNull())
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('gpc', 'integer', (c) => c.notNull())
    .addColumn('policy_version', 'varchar(16)', (c) => c.notNull())
    .addColumn('banner_version', 'varchar(16)', (c) => c.notNull())
    .addColumn('ua_class', 'varchar(48)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('cookie_consents_day_idx')
    .on('cookie_consents')
    .column('day')
    .execute();
  await db.schema
    .createIndex('cookie_consents_consent_idx')
    .on('cookie_consents')
    .column('consent_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cookie_consents').execute();
}
