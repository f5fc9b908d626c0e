import type { Kysely } from 'kysely';

// Versions of the policy made at run time: a change to the service-provider registry changes
// what /privacy prints, so it is published as a new version with its date and a line in the
// change log, like the versions shipped with the code (src/privacy/policy-versions.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policy_revisions')
    .addColumn('version', 'varchar(24)', (c) => c.primaryKey())
    .addColumn('base_version', 'varchar(16)', (c) => c.notNull())
    .addColumn('effective', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('fingerprint', 'varchar(16)', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('policy_revisions').ifExists().execute();
}
